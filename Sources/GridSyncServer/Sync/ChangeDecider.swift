import GridSyncCore
import GridSyncProtocol

/// Decides what one pushed change does to its record: refuse it, or merge it into a new state.
///
/// Pure, so every store (SQLite now, PostgreSQL later) makes the same decisions, and so the
/// rules can be tested without a database. A store loads the record, asks, and saves.
public struct ChangeDecider: Sendable {
    public init() {}

    public enum Decision: Sendable, Equatable {
        case reject(RejectReason)
        /// The new state and the grids it now belongs to. `changed` is false when the join
        /// left the state as it was (a duplicate).
        case merge(state: RecordState, grids: [GridPath], outcome: MergeOutcome, changed: Bool)
    }

    /// Everything about a change that needs no stored record: its values, and the rules a
    /// brand-new record must meet. Request handlers run this in parallel, before the change
    /// queues for the single write transaction.
    public func check(_ change: Change) -> CheckedChange {
        do {
            try change.validate()
        } catch let error as ValidationError {
            return CheckedChange(change: change, invalid: RejectReason(error), asNewRecord: nil)
        } catch {
            return CheckedChange(change: change, invalid: RejectReason(code: ValidationError.Code.wrongType.rawValue, message: "the change could not be read"), asNewRecord: nil)
        }
        return CheckedChange(change: change, invalid: nil, asNewRecord: newRecordRejection(change))
    }

    private func newRecordRejection(_ change: Change) -> RejectReason? {
        if change.isDelete {
            return RejectReason(code: RejectReason.incompleteRecordCode, message: "cannot delete a record the server has never seen")
        }
        let written = Set(change.writes.keys.map { String($0.property) })
        if let missing = change.record.kind.schema.requiredProperties.first(where: { !written.contains($0) }) {
            return RejectReason(
                code: RejectReason.incompleteRecordCode,
                message: "a new \(change.record.kind.rawValue) must set \(missing)", field: missing)
        }
        var state = RecordState()
        state.apply(change)
        return RecordRules.check(state, kind: change.record.kind, touching: change.writes.keys).map(RejectReason.init)
    }

    public func decide(_ change: Change, stored: StoredRecord?, scope: [GridPath]) -> Decision {
        decide(check(change), stored: stored, scope: scope)
    }

    public func decide(_ checked: CheckedChange, stored: StoredRecord?, scope: [GridPath]) -> Decision {
        let change = checked.change
        if let invalid = checked.invalid { return .reject(invalid) }

        // Both the grid the record is in and the grid it is moved to must be the device's:
        // otherwise a worker could pull a household into their grid, or push one out of it.
        let currentGrids = stored?.grids ?? []
        if (currentGrids + [change.writtenGrid].compactMap { $0 }).contains(where: { !scope.covers($0) }) {
            return .reject(RejectReason(
                code: RejectReason.outOfScopeCode,
                message: "the record's grid is outside this device's assigned grids", field: "grid"))
        }

        let before = stored?.state ?? RecordState()
        if before.isEmpty {
            if let rejection = checked.asNewRecord { return .reject(rejection) }
            var after = before
            let outcome = after.apply(change)
            return .merge(state: after, grids: RecordRules.grids(of: after, fallback: []), outcome: outcome, changed: true)
        }

        // Append-only elements never change once written; a different value under the same
        // element id is a client bug, and merging it would show up as a baffling conflict.
        let schema = change.record.kind.schema
        for (path, write) in change.writes where path.element != nil {
            guard case .appendOnly = schema.properties[String(path.property)]?.granularity,
                  let existing = before.entries[path]?.values, !existing.isEmpty, !existing.contains(write.value) else { continue }
            return .reject(RejectReason(ValidationError(.immutableElement, field: path.rawValue, "\(path.property) elements cannot change once written")))
        }

        var after = before
        let outcome = after.apply(change)
        if let failure = RecordRules.check(after, kind: change.record.kind, touching: change.writes.keys) {
            return .reject(RejectReason(failure))
        }
        let grids = RecordRules.grids(of: after, fallback: currentGrids)
        return .merge(state: after, grids: grids, outcome: outcome, changed: after != before)
    }
}

/// A change with the checks that need no stored record already made.
public struct CheckedChange: Sendable {
    public let change: Change
    let invalid: RejectReason?
    /// Why the change could not create the record on its own, if the record turns out new.
    let asNewRecord: RejectReason?
}

/// Rules that span fields, checked on the merged record while it has one clear value per field.
enum RecordRules {
    /// Collection sizes are checked by counting fields; the typed record, which is costly to
    /// build for a patrol with thousands of track points, only when a property that takes part
    /// in a rule across fields changed: every other rule was checked field by field already.
    static func check<Paths: Collection>(_ state: RecordState, kind: RecordKind, touching paths: Paths) -> ValidationError?
    where Paths.Element == FieldPath {
        let schema = kind.schema
        for property in Set(paths.filter { $0.element != nil }.map(\.property)) {
            guard let maximum = schema.properties[String(property)]?.maximumCount else { continue }
            let count = state.entries.lazy.filter { $0.key.property == property && $0.key.element != nil && $0.value.values.contains { $0 != .null } }.count
            if count > maximum {
                return ValidationError(.tooMany, field: String(property), "at most \(maximum) items")
            }
        }
        guard paths.contains(where: { $0.element == nil && schema.crossFieldProperties.contains($0.rawValue) }) else { return nil }
        guard let fields = state.resolvedFields, let id = RecordID("check") else { return nil }
        do {
            switch kind {
            case .household: try Household(id: id, fields: fields).validate()
            case .householdVisit: try HouseholdVisit(id: id, fields: fields).validate()
            case .patrol: try Patrol(id: id, fields: fields).validate()
            case .visitLog: try VisitLog(id: id, fields: fields).validate()
            }
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
