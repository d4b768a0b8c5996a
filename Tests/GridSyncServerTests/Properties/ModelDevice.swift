import Foundation
import GridSyncCore
import GridSyncProtocol

/// A terminal in a property test, keeping what `FieldClient` keeps: a confirmed state (pulled
/// states joined with accepted changes), an outbox, and the local view built from both.
///
/// `relaysOnServer` makes it a client that supersedes only what its local view holds, as a
/// client written from an older spec would; the server must still keep its worker out of
/// conflict with himself. `writesUnderReview` makes it write to records in a delete conflict,
/// which `FieldClient` refuses and an independent client may not.
struct ModelDevice {
    let replica: ReplicaID
    var relaysOnServer = false
    var writesUnderReview = false
    private(set) var confirmed = RecordState()
    private(set) var pending: [Change] = []
    private(set) var local = RecordState()

    init(replica: ReplicaID, relaysOnServer: Bool = false, writesUnderReview: Bool = false) {
        self.replica = replica
        self.relaysOnServer = relaysOnServer
        self.writesUnderReview = writesUnderReview
    }

    /// Writes `fields`, or returns `nil` where a terminal would refuse: a contested field, or a
    /// record under review for a delete conflict.
    mutating func write(_ fields: [FieldPath: FieldValue], id: ChangeID, record: RecordKey) -> Change? {
        if local.hasDeleteConflict && !writesUnderReview { return nil }
        if !Set(local.conflictingFields).isDisjoint(with: fields.keys) && !writesUnderReview { return nil }
        var extra: [Dot] = []
        if !relaysOnServer {
            for path in fields.keys { extra += confirmed.entries[path]?.keys.map { $0 } ?? [] }
            if fields[.deleted] == nil { extra += confirmed.entries[.deleted]?.keys.map { $0 } ?? [] }
        }
        let change = local.write(fields, by: replica, id: id, record: record, alsoSuperseding: extra)
        pending.append(change)
        return change
    }

    /// Moves a record's workflow to `to` as a handset does (``Workflow/move``), writing `extra`
    /// with it; `nil` where the handset refuses: the move is illegal from the local state, or
    /// the state is contested.
    mutating func move(_ workflow: Workflow, to: String, extra: [FieldPath: FieldValue], id: ChangeID, record: RecordKey) -> Change? {
        if local.conflictingFields.contains(workflow.statePath) && !writesUnderReview { return nil }
        let confirmedStates = relaysOnServer ? [] : confirmed.entries[workflow.statePath]?.keys.map { $0 } ?? []
        let note = MoveNote(by: replica.rawValue, at: Date(timeIntervalSince1970: 1_795_000_000))
        guard let fields = try? workflow.move(in: local, to: to, actionID: RecordID(id.rawValue)!, note: note, extra: extra,
                                              by: replica, alsoSuperseding: confirmedStates) else { return nil }
        return write(fields, id: id, record: record)
    }

    /// Deletes the record; `nil` where a handset refuses: a kind with a workflow is never deleted.
    mutating func delete(id: ChangeID, record: RecordKey) -> Change? {
        guard !local.isEmpty, !local.isTombstoned, record.kind.schema.workflow == nil else { return nil }
        let extra = relaysOnServer ? [] : confirmed.entries.values.flatMap(\.keys)
        let change = local.delete(by: replica, id: id, record: record, alsoSuperseding: extra)
        pending.append(change)
        return change
    }

    /// Takes the server's answers for the changes it pushed, in order.
    mutating func settle(_ results: [(Change, ChangeResult)]) {
        let answered = Set(results.map(\.0.id))
        pending.removeAll { answered.contains($0.id) }
        for (change, result) in results where result.outcome != .rejected { confirmed.merge(RecordState(change)) }
        if results.contains(where: { $0.1.outcome == .rejected }) {
            var rebuilt = confirmed
            for change in pending { rebuilt.apply(change) }
            rebuilt.reserveCounters(local.clock)
            local = rebuilt
        }
    }

    mutating func pull(_ state: RecordState) {
        confirmed.merge(state)
        local.merge(state)
    }
}
