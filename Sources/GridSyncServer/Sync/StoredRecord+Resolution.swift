import GridSyncCore

extension StoredRecord {
    /// The change that settles this record's conflict as ops decided, checked so that the record
    /// it leaves is one every terminal can read: a resolution never drops a contested value
    /// unasked, and never leaves a live record missing a required field or breaking a rule of
    /// its kind. Throws with the field to decide or fix. A resolution that settles a workflow
    /// conflict is itself a move, recorded in the timeline under `note`.
    public func resolution(_ resolution: Resolution, by replica: ReplicaID, id: ChangeID, note: MoveNote) throws(ResolutionError) -> Change {
        var state = self.state
        let change = try state.resolve(resolution, by: replica, id: id, record: key, restoring: beforeDelete ?? DeleteSnapshot(), note: note)
        if let workflow = key.kind.schema.workflow, let illegal = workflow.violation(of: change, before: self.state) {
            throw ResolutionError(code: .invalidRecord, message: "the resolution would be an illegal move: " + illegal.message, field: illegal.field)
        }
        if let broken = RecordRules.check(state, kind: key.kind, touching: change.writes.keys, previous: self.state) {
            throw ResolutionError(code: .invalidRecord,
                                  message: "the resolved record would break a rule (\(broken.code.rawValue)): " + broken.message,
                                  field: broken.field)
        }
        return change
    }
}
