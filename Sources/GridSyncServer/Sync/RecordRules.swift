import GridSyncCore

/// Rules about a record as a whole, checked on the merged state after every join, so that no
/// stored record that is live and out of conflict fails to read as its kind.
///
/// Per-value rules are checked field by field when a change arrives; these are the rest: every
/// required property present while the record is live, collection sizes, and the rules that
/// span fields (a patrol's end after its start).
enum RecordRules {
    /// The first rule `state` breaks, given that a change touching `paths` turned `previous`
    /// into it; `nil` when it keeps every rule.
    ///
    /// Typed records are costly to build for a patrol with thousands of track points, so the
    /// typed check runs only when it could have an effect: a property taking part in a rule
    /// across fields was written, or the record came out of a conflict or a delete.
    static func check<Paths: Collection>(_ state: RecordState, kind: RecordKind, touching paths: Paths, previous: RecordState?) -> ValidationError?
    where Paths.Element == FieldPath {
        let schema = kind.schema
        for property in Set(paths.filter { $0.element != nil }.map(\.property)) {
            guard let maximum = schema.properties[String(property)]?.maximumCount else { continue }
            let count = state.entries.lazy.filter { $0.key.property == property && $0.key.element != nil && $0.value.values.contains { $0 != .null } }.count
            if count > maximum {
                return ValidationError(.tooMany, field: String(property), "at most \(maximum) items")
            }
        }
        if state.isTombstoned { return nil }
        if let missing = state.missingRequired(of: kind) {
            return ValidationError(.incompleteRecord, field: missing,
                                   "a live \(kind.rawValue) must hold \(missing): a write that brings back a deleted record restores every required field")
        }
        let leftConflictOrDelete = previous.map { $0.isInConflict || $0.isTombstoned } ?? true
        guard leftConflictOrDelete || paths.contains(where: { $0.element == nil && schema.crossFieldProperties.contains($0.rawValue) }) else {
            return nil
        }
        return typedViolation(state, kind: kind)
    }

    /// Builds the typed record and runs its own rules. While some field is contested, any one
    /// sibling stands in for it (each sibling passed its field's rules on its own); the rules
    /// across fields wait only when one of their own properties is contested, and run again
    /// when that conflict is settled.
    static func typedViolation(_ state: RecordState, kind: RecordKind) -> ValidationError? {
        let schema = kind.schema
        if state.hasDeleteConflict { return nil }
        var fields: [FieldPath: FieldValue] = [:]
        for (path, values) in state.entries where path != .deleted {
            let distinct = Set(values.values)
            if distinct.count > 1 {
                if path.element == nil && schema.crossFieldProperties.contains(path.rawValue) { return nil }
                fields[path] = values.min { $0.key < $1.key }!.value
            } else {
                fields[path] = distinct.first
            }
        }
        guard let id = RecordID("check") else { return nil }
        do {
            try kind.validateTyped(id: id, fields: fields)
            return nil
        } catch let error as ValidationError {
            return error
        } catch {
            return ValidationError(.wrongType, field: kind.rawValue, "the merged record is not a valid \(kind.rawValue)")
        }
    }

    /// Every grid the record is in: each value of its `grid` field, siblings included, so a
    /// record whose move is contested stays visible in both grids until ops decides.
    static func grids(of state: RecordState, fallback: [GridPath]) -> [GridPath] {
        let values = state.entries[FieldPath("grid")!]?.values.compactMap { $0.stringValue.flatMap(GridPath.init) } ?? []
        let grids = Set(values).sorted()
        return grids.isEmpty ? fallback : grids
    }
}
