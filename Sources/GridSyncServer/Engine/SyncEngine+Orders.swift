import Foundation
import GridSyncCore
import GridSyncProtocol

/// Why the command centre's move of a work order was refused before anything was written.
public enum OrderMoveRefusal: Error, Sendable {
    /// The state is contested: settle the workflow conflict first, through the conflicts API.
    case contested
}

extension SyncEngine {
    /// Every work order whose current grid lies under `root` (everywhere when nil).
    public func workOrders(under root: GridPath?) async throws -> [StoredRecord] {
        try await store.read { transaction in
            let keys = try transaction.recordKeys(ofKind: .workOrder, under: root).sorted()
            let records = try transaction.records(keys)
            return keys.compactMap { records[$0] }
        }
    }

    /// Moves a work order as the command centre (受理, 分拨, 退回, 不予受理, 办结…): a change under
    /// the server's replica, built from the order as it stands inside the write transaction and
    /// held to the same workflow rules as a handset's move. Throws `illegal_transition` as a
    /// ``ValidationError``, ``OrderMoveRefusal/contested`` while the state is contested, and
    /// ``StoreError`` when the order is missing or moved on since `expectedVersion`.
    public func moveOrder(_ id: RecordID, _ request: OrderMoveRequest, actor: String, at now: Date) async throws -> (ChangeID, StoredRecord) {
        let key = RecordKey(kind: .workOrder, id: id)
        let replica = try await serverReplica()
        let changeID = ChangeID("ops-" + TokenFactory.shortID())!
        let stored = try await applyServerChange(key, expectedVersion: request.expectedVersion, actor: "ops:" + actor, at: now) { stored in
            let workflow = WorkOrder.workflow
            if stored.state.conflictingFields.contains(workflow.statePath) { throw OrderMoveRefusal.contested }
            var extra: [FieldPath: FieldValue] = [:]
            if let assignee = request.assignee {
                let path = FieldPath("assignee")!
                // A contested assignee is settled through the conflicts API, on the record.
                if stored.state.conflictingFields.contains(path) { throw OrderMoveRefusal.contested }
                extra[path] = try FieldValueCoding.encode(assignee)
                try WorkOrder.schema.validate(extra[path]!, at: path)
            }
            let note = MoveNote(by: "ops:" + actor, at: now, reason: request.reason.map { String($0.prefix(1_000)) })
            let fields = try workflow.move(in: stored.state, to: request.to.rawValue, actionID: workflow.serverActionID(in: stored.state, by: replica),
                                           note: note, extra: extra, by: replica)
            var state = stored.state
            let change = state.write(fields, by: replica, id: changeID, record: key)
            // The whole-record rules a push is held to: collection sizes, required fields.
            if let broken = RecordRules.check(state, kind: key.kind, touching: change.writes.keys, previous: stored.state) { throw broken }
            return change
        }
        return (changeID, stored)
    }
}
