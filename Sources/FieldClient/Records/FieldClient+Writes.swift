import Foundation
import GRDB
import GridSyncCore

extension FieldClient {
    /// Saves a new record locally and queues it for the server. Works with no network.
    @discardableResult
    public func create<R: SyncedRecord>(_ record: R) throws -> Change {
        try record.validate(at: R.kind.rawValue)
        return try write(try record.fields(), to: record.key, expectNew: true)
    }

    /// Edits a record: `edit` changes a copy, and only the fields that differ are written, so
    /// someone else's concurrent edit of another field merges cleanly.
    ///
    /// Fields under review by the command centre (in conflict) cannot be edited until resolved.
    @discardableResult
    public func update<R: SyncedRecord>(_ type: R.Type, id: RecordID, _ edit: (inout R) throws -> Void) throws -> Change? {
        let identity = try requireIdentity()
        let key = RecordKey(kind: R.kind, id: id)
        let changeID = try mintChangeID()
        let now = configuration.now()
        // One transaction reads, edits and writes, so a sync landing in between cannot be lost.
        return try pool.write { db in
            guard var row = try RecordRow.fetch(key, db), !row.state.isDeleted,
                  let before = try? R(id: id, fields: LocalRecord<R>.displayFields(row.state, ownReplica: identity.replicaID)) else {
                throw FieldClientError(.notFound, "no \(R.kind.rawValue) \(id) on this handset")
            }
            var value = before
            try edit(&value)
            try value.validate(at: R.kind.rawValue)
            let changed = try value.changedFields(from: before)
            guard !changed.isEmpty else { return nil }
            return try Self.write(changed, to: &row, by: identity.replicaID, id: changeID, at: now, db)
        }
    }

    /// Deletes a record. A delete concurrent with someone's edit becomes a conflict for the
    /// command centre, not a silent loss.
    @discardableResult
    public func delete<R: SyncedRecord>(_ type: R.Type, id: RecordID) throws -> Change {
        let identity = try requireIdentity()
        let key = RecordKey(kind: R.kind, id: id)
        let changeID = try mintChangeID()
        let now = configuration.now()
        return try pool.write { db in
            guard var row = try RecordRow.fetch(key, db), !row.state.isDeleted else {
                throw FieldClientError(.notFound, "no \(R.kind.rawValue) \(id) on this handset")
            }
            if R.kind.schema.workflow != nil {
                throw ValidationError(.illegalTransition, field: FieldPath.deleted.rawValue,
                                      "a \(R.kind.rawValue) is never deleted: move it to a final state instead")
            }
            let confirmed = row.serverState?.entries.values.flatMap(\.keys) ?? []
            let change = row.state.delete(by: identity.replicaID, id: changeID, record: key, alsoSuperseding: confirmed)
            try row.save(db)
            try Outbox.append(change, at: now, db)
            return change
        }
    }

    func write(_ fields: [FieldPath: FieldValue], to key: RecordKey, expectNew: Bool) throws -> Change {
        let identity = try requireIdentity()
        let changeID = try mintChangeID()
        let now = configuration.now()
        return try pool.write { db in
            var row = try RecordRow.fetch(key, db) ?? RecordRow(key: key, serverState: nil, state: RecordState())
            if expectNew && !row.state.isEmpty && !row.state.isDeleted {
                throw FieldClientError(.invalid, "\(key) already exists on this handset: edit it instead")
            }
            return try Self.write(fields, to: &row, by: identity.replicaID, id: changeID, at: now, db)
        }
    }

    /// The one place a local edit becomes a change: refused while under review, else applied to
    /// the replica and queued in the same transaction.
    static func write(_ fields: [FieldPath: FieldValue], to row: inout RecordRow, by replica: ReplicaID, id: ChangeID,
                      at now: Date, _ db: Database) throws -> Change {
        let contested = Set(row.state.conflictingFields).intersection(fields.keys)
        if row.state.hasDeleteConflict || !contested.isEmpty {
            throw FieldClientError(.underReview, "under review by the command centre: " +
                (contested.isEmpty ? "the record" : contested.map(\.rawValue).sorted().joined(separator: ", ")))
        }
        let before = row.state
        let change = row.state.write(fields, by: replica, id: id, record: row.key, alsoSuperseding: confirmedDots(of: fields.keys, in: row))
        try change.validate()
        // A kind with a workflow refuses here, offline, what the server would refuse: a state
        // written without its action, an illegal move, a delete (`illegal_transition`).
        if let workflow = row.key.kind.schema.workflow, let illegal = workflow.violation(of: change, before: before) {
            row.state = before
            throw illegal
        }
        try row.save(db)
        try Outbox.append(change, at: now, db)
        return change
    }

    /// The dots the confirmed (server) state holds for the fields being written. Superseding
    /// them as well as the local values means that if an earlier queued change of the same
    /// field is refused, this one still replaces what that one replaced: a worker is never left
    /// in conflict with his own older value.
    static func confirmedDots(of paths: some Sequence<FieldPath>, in row: RecordRow) -> [Dot] {
        guard let confirmed = row.serverState else { return [] }
        var dots = paths.flatMap { confirmed.entries[$0]?.keys.map { $0 } ?? [] }
        if !paths.contains(.deleted) { dots += confirmed.entries[.deleted]?.keys.map { $0 } ?? [] }
        return dots
    }

    func mintChangeID() throws -> ChangeID {
        guard let id = ChangeID(configuration.makeChangeID()) else {
            throw FieldClientError(.invalid, "the change id source produced an invalid id")
        }
        return id
    }
}
