extension Workflow {
    /// The rule a change to a record with this workflow breaks, given the record before it
    /// (empty for a new record); `nil` when the change keeps them all. Checked in this order:
    ///
    /// 1. the record is never deleted (`_deleted` is never written);
    /// 2. an action is appended only with the state write it records, and a state write
    ///    appends exactly one action whose `to` is the written state and whose `stateDot` is
    ///    the write's dot;
    /// 3. the action's `replaces` lists every superseded state write an action records, and
    ///    nothing the change does not supersede;
    /// 4. the action's `from` is where the move starts (``frontier(superseding:in:)``), absent
    ///    for the report; a report (a move from nothing) is made only on a record holding no
    ///    state; and the table allows the move.
    public func violation(of change: Change, before: RecordState) -> ValidationError? {
        if change.writes[.deleted] != nil {
            return ValidationError(.illegalTransition, field: FieldPath.deleted.rawValue,
                                   "a \(change.record.kind.rawValue) is never deleted: move it to a final state instead")
        }
        let appended = change.writes.filter { path, _ in
            path.element != nil && path.property == actionsProperty && before.entries[path] == nil
        }.sorted { $0.key < $1.key }
        guard let stateWrite = change.writes[statePath] else {
            if let (path, _) = appended.first {
                return ValidationError(.illegalTransition, field: path.rawValue, "an action is appended only with the \(stateProperty) write it records")
            }
            return nil
        }
        guard appended.count == 1, let (actionPath, actionWrite) = appended.first else {
            return ValidationError(.illegalTransition, field: stateProperty,
                                   "a move writes \(stateProperty) and appends exactly one action to \(actionsProperty)")
        }
        let action = actionWrite.value
        guard let to = stateWrite.value.stringValue, action["to"]?.stringValue == to else {
            return ValidationError(.illegalTransition, field: actionPath.rawValue + ".to", "the action's to must be the \(stateProperty) written")
        }
        guard action["stateDot"]?.stringValue == stateWrite.dot.description else {
            return ValidationError(.illegalTransition, field: actionPath.rawValue + ".stateDot",
                                   "the action's stateDot must be the dot of the \(stateProperty) write")
        }
        let superseded = Set(change.supersedes)
        let origin = frontier(superseding: superseded, in: before)
        let replaces = Set(action["replaces"]?.arrayValue?.compactMap { $0.stringValue.flatMap(Dot.init) } ?? [])
        guard origin.known.isSubset(of: replaces), replaces.isSubset(of: superseded) else {
            return ValidationError(.illegalTransition, field: actionPath.rawValue + ".replaces",
                                   "the action's replaces must list the \(stateProperty) writes the move supersedes")
        }
        let claimed = action["from"].flatMap { $0 == .null ? nil : $0.stringValue }
        return illegality(from: origin.states, claimed: claimed, to: to, actionPath: actionPath, held: states(in: before))
    }

    /// Rule 4 alone: the one check a handset makes before it queues a move, so that it refuses
    /// exactly what the server would, with the same code and field. `held` is the states the
    /// record holds before the move: a move from nothing (a report) is legal only on a record
    /// that holds none, so no terminal can put a fresh report beside a case in progress.
    func illegality(from origin: Set<String>, claimed: String?, to: String, actionPath: FieldPath, held: Set<String>) -> ValidationError? {
        if origin.isEmpty ? claimed != nil : !(claimed.map(origin.contains) ?? false) {
            return ValidationError(.illegalTransition, field: actionPath.rawValue + ".from",
                                   "the action's from must be the \(stateProperty) the move leaves" + (origin.isEmpty ? " (none: this is the report)" : ""))
        }
        if origin.isEmpty && !held.isEmpty {
            return ValidationError(.illegalTransition, field: stateProperty,
                                   "the record was already reported: a move supersedes the \(stateProperty) it leaves")
        }
        guard isLegal(replacing: origin, to: to) else {
            let start = origin.isEmpty ? "a new record" : origin.sorted().joined(separator: " | ")
            return ValidationError(.illegalTransition, field: stateProperty, "\(start) cannot move to \(to)")
        }
        return nil
    }
}
