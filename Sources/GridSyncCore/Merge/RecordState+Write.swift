extension RecordState {
    /// Builds the change a replica makes when it sets `fields` on this record, and applies it.
    ///
    /// Each written field gets the replica's next counter, and the change supersedes exactly
    /// the values of those fields this replica holds now. Fields not written are untouched,
    /// which is what lets another worker's edit of a different field merge cleanly.
    ///
    /// A write to a record this replica has seen deleted supersedes the delete: that is a
    /// re-creation, decided by someone who saw the delete, not a conflict.
    ///
    /// A field that is in conflict is replaced outright, siblings and all; callers that must
    /// leave conflicts to the command centre check ``conflictingFields`` first.
    public mutating func write(
        _ fields: [FieldPath: FieldValue], by replica: ReplicaID, id: ChangeID, record: RecordKey,
        alsoSuperseding extra: [Dot] = []
    ) -> Change {
        let dots = nextDots(for: fields.keys, by: replica)
        var writes: [FieldPath: FieldWrite] = [:]
        var superseded = Set(extra)
        // Writing to a record one has seen deleted brings it back deliberately: the delete is
        // superseded rather than left to contest the new values as a conflict.
        if fields[.deleted] == nil { superseded.formUnion(entries[.deleted]?.keys ?? [:].keys) }
        var nextClock = clock
        for path in fields.keys {
            writes[path] = FieldWrite(dot: dots[path]!, value: fields[path]!)
            superseded.formUnion(entries[path]?.keys ?? [:].keys)
            nextClock.merge(VectorClock([replica: dots[path]!.counter]))
        }
        let change = Change(id: id, record: record, clock: nextClock, supersedes: superseded.sorted(), writes: writes)
        apply(change)
        return change
    }

    /// The dots ``write(_:by:id:record:alsoSuperseding:)`` gives `paths`: the replica's next
    /// counters, in field-path order. A move's action names its state write's dot before the
    /// change exists (``Workflow/move(in:to:actionID:note:extra:by:alsoSuperseding:)``).
    public func nextDots<Paths: Sequence>(for paths: Paths, by replica: ReplicaID) -> [FieldPath: Dot] where Paths.Element == FieldPath {
        var nextClock = clock
        var dots: [FieldPath: Dot] = [:]
        for path in Set(paths).sorted() { dots[path] = nextClock.increment(replica) }
        return dots
    }

    /// Builds the change that deletes this record, superseding every value this replica has seen.
    ///
    /// - Parameter extra: further dots to supersede, such as the values of the confirmed
    ///   state that this replica's own queued changes replaced.
    public mutating func delete(by replica: ReplicaID, id: ChangeID, record: RecordKey, alsoSuperseding extra: [Dot] = []) -> Change {
        let everything = entries.values.flatMap(\.keys)
        return write([.deleted: .bool(true)], by: replica, id: id, record: record, alsoSuperseding: everything + extra)
    }

    /// Counts the counters in `used` as taken, without claiming that their writes were seen: a
    /// replica whose change was refused folds in that change's clock, so that its next change
    /// never reuses a counter the refused one had.
    public mutating func reserveCounters(_ used: VectorClock) {
        clock.merge(used)
    }
}
