extension RecordState {
    /// Applies one change and says what kind of event it was.
    ///
    /// The state change is always the join with the change's delta, so the result is the same
    /// whatever the classification; the outcome only reports it. Even a stale change is joined,
    /// because the values it replaced may have arrived after the change that replaced it.
    ///
    /// For example:
    /// ```swift
    /// var household = RecordState()
    /// household.apply(created)        // .applied
    /// household.apply(workerPhone)    // .applied
    /// household.apply(cadrePhone)     // .conflict: both phones kept as siblings
    /// ```
    @discardableResult
    public mutating func apply(_ change: Change) -> MergeOutcome {
        let alreadySeen = !change.writes.isEmpty && change.dots.allSatisfy(context.contains)
        let fastForward = change.clock.dominates(clock)
        join(change)
        if alreadySeen { return .stale }
        if takesPartInConflict(change) { return .conflict }
        return fastForward ? .applied : .merged
    }

    /// `merge(RecordState(change))`, without building the delta or revisiting untouched fields:
    /// this runs once per change in every push.
    private mutating func join(_ change: Change) {
        if !change.supersedes.isEmpty {
            let superseded = Set(change.supersedes)
            for path in Array(entries.keys) {
                let written = change.writes[path]?.dot
                let before = entries[path]!
                let after = before.filter { !superseded.contains($0.key) || $0.key == written }
                if after.count != before.count { entries[path] = after.isEmpty ? nil : after }
            }
        }
        for (path, write) in change.writes where !context.contains(write.dot) {
            entries[path, default: [:]][write.dot] = write.value
        }
        for dot in change.supersedes { context.insert(dot) }
        for dot in change.dots { context.insert(dot) }
        clock.merge(change.clock)
        clock.merge(context.clock)
    }

    /// True when a value this change wrote now stands beside a differing sibling, or beside a
    /// delete it never saw.
    private func takesPartInConflict(_ change: Change) -> Bool {
        let survivors = change.writes.filter { entries[$0.key]?[$0.value.dot] != nil }
        guard !survivors.isEmpty else { return false }
        if hasDeleteConflict { return true }
        return survivors.keys.contains { path in
            path != .deleted && Set(entries[path]!.values).count > 1
        }
    }

    /// Every dot taking part in a conflict: the siblings of each field with more than one distinct
    /// value, and, when a delete meets a concurrent edit, every surviving value.
    public var conflictingDots: Set<Dot> {
        if hasDeleteConflict {
            return Set(entries.values.flatMap(\.keys))
        }
        var dots = Set<Dot>()
        for values in entries.values where Set(values.values).count > 1 {
            dots.formUnion(values.keys)
        }
        return dots
    }

    /// True when some field holds concurrent, differing values, or a delete met an edit.
    public var isInConflict: Bool {
        hasDeleteConflict || entries.values.contains { Set($0.values).count > 1 }
    }

    /// True while a delete is held, whether or not an edit contests it.
    public var isTombstoned: Bool {
        entries[.deleted]?.values.contains(.bool(true)) ?? false
    }

    /// The fields whose siblings differ, in a stable order. A delete-against-edit conflict is
    /// reported by ``hasDeleteConflict`` instead, since every field then takes part.
    public var conflictingFields: [FieldPath] {
        entries.filter { $0.key != .deleted && Set($0.value.values).count > 1 }.keys.sorted()
    }

    /// A delete survives beside a value it never saw: someone edited while someone deleted, or
    /// kept the record (`_deleted: false`) while someone else deleted it.
    public var hasDeleteConflict: Bool {
        isTombstoned && (entries.keys.contains { $0 != .deleted } || entries[.deleted]!.values.contains(.bool(false)))
    }

    /// True when the record was deleted and nobody edited it concurrently.
    public var isDeleted: Bool {
        isTombstoned && !hasDeleteConflict
    }

    /// The record's fields when there is no conflict: each field's single value. Equal siblings
    /// count as one value. `nil` while in conflict or deleted.
    public var resolvedFields: [FieldPath: FieldValue]? {
        guard !isInConflict, !isDeleted else { return nil }
        var fields: [FieldPath: FieldValue] = [:]
        for (path, values) in entries where path != .deleted {
            fields[path] = values.values.first
        }
        return fields
    }

    /// Each field's value where it has exactly one; conflicting fields are left out.
    public var agreedFields: [FieldPath: FieldValue] {
        var fields: [FieldPath: FieldValue] = [:]
        for (path, values) in entries where path != .deleted {
            let distinct = Set(values.values)
            if distinct.count == 1, let value = distinct.first { fields[path] = value }
        }
        return fields
    }
}
