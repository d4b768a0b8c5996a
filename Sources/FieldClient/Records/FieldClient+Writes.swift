import Foundation
import GRDB
import GridSyncCore

extension FieldClient {
    /// Saves a new record locally and queues it for the server. Works with no network.
    @discardableResult
    public func create<R: SyncedRecord>(_ record: R) async throws -> Change {
        try record.validate(at: R.kind.rawValue)
        let fields = try record.fields()
        return try await write(fields, to: record.key, expectNew: true, typed: record)
    }

    /// Edits a record: `edit` changes a copy, and only the fields that differ are written, so
    /// someone else's concurrent edit of another field merges cleanly.
    ///
    /// The edit runs on the actor, on the record as last cached; the write transaction then
    /// checks that nothing (a pull, a sync) changed the record meanwhile, and if something
    /// did, `edit` runs again on the new record. So no sync landing in between is lost, and
    /// the actor waits for SQLite's commit without holding a thread. `edit` may therefore
    /// run more than once: keep it to changing the value.
    ///
    /// Fields under review by the command centre (in conflict) cannot be edited until resolved.
    @discardableResult
    public func update<R: SyncedRecord>(_ type: R.Type, id: RecordID, _ edit: (inout R) throws -> Void) async throws -> Change? {
        let identity = try requireIdentity()
        let key = RecordKey(kind: R.kind, id: id)
        let changeID = try mintChangeID()
        let now = configuration.now()
        let notFound = FieldClientError(.notFound, "no \(R.kind.rawValue) \(id) on this handset")
        for _ in 0..<Self.editAttempts {
            guard let entry = try await cachedRow(key), !entry.row.state.isDeleted else { throw notFound }
            let before: R, beforeFields: [FieldPath: FieldValue]
            if let typed = entry.typed as? R, let fields = entry.typedFields {
                (before, beforeFields) = (typed, fields)
            } else {
                guard let decoded = try? R(id: id, fields: LocalRecord<R>.displayFields(entry.row.state, ownReplica: identity.replicaID)) else {
                    throw notFound
                }
                (before, beforeFields) = (decoded, try decoded.fields())
            }
            var value = before
            try edit(&value)
            try value.validate(at: R.kind.rawValue)
            let after = try value.fields()
            let changed = R.changes(from: beforeFields, to: after)
            guard !changed.isEmpty else { return nil }
            let written: Change?? = try await pool.write { [rows, value] db in
                guard var row = try RecordRow.fetch(key, db, cache: rows),
                      rows.entry(key)?.version == entry.version || row.state == entry.row.state else { return .none }
                return .some(try Self.write(changed, to: &row, by: identity.replicaID, id: changeID, at: now, db, cache: rows,
                                            typed: value, typedFields: after))
            }
            if case .some(let change) = written { return change }
        }
        throw FieldClientError(.invalid, "\(key) kept changing under the edit (syncs landing meanwhile): edit it again")
    }

    /// How many times an edit is tried on a record that syncs keep changing under it.
    static let editAttempts = 5

    /// The record as the writer last saw it: from the cache, else read from the file (with a
    /// version no cache entry has, so the write transaction compares the state itself).
    func cachedRow(_ key: RecordKey) async throws -> RowCache.Entry? {
        if let entry = rows.entry(key) { return entry }
        guard let row = try await pool.read({ db in try RecordRow.fetch(key, db, cache: nil) }) else { return nil }
        return RowCache.Entry(row: row, version: 0)
    }

    /// Deletes a record. A delete concurrent with someone's edit becomes a conflict for the
    /// command centre, not a silent loss.
    @discardableResult
    public func delete<R: SyncedRecord>(_ type: R.Type, id: RecordID) async throws -> Change {
        let identity = try requireIdentity()
        let key = RecordKey(kind: R.kind, id: id)
        let changeID = try mintChangeID()
        let now = configuration.now()
        return try await pool.write { [rows] db in
            guard var row = try RecordRow.fetch(key, db, cache: rows), !row.state.isDeleted else {
                throw FieldClientError(.notFound, "no \(R.kind.rawValue) \(id) on this handset")
            }
            if R.kind.schema.workflow != nil {
                throw ValidationError(.illegalTransition, field: FieldPath.deleted.rawValue,
                                      "a \(R.kind.rawValue) is never deleted: move it to a final state instead")
            }
            let confirmed = row.serverState?.entries.values.flatMap(\.keys) ?? []
            let change = row.state.delete(by: identity.replicaID, id: changeID, record: key, alsoSuperseding: confirmed)
            try row.save(db, cache: rows)
            try Outbox.append(change, at: now, db)
            return change
        }
    }

    func write(_ fields: [FieldPath: FieldValue], to key: RecordKey, expectNew: Bool, typed: (any SyncedRecord)? = nil) async throws -> Change {
        let identity = try requireIdentity()
        let changeID = try mintChangeID()
        let now = configuration.now()
        return try await pool.write { [rows] db in
            var row = try RecordRow.fetch(key, db, cache: rows) ?? RecordRow(key: key, serverState: nil, state: RecordState())
            if expectNew && !row.state.isEmpty && !row.state.isDeleted {
                throw FieldClientError(.invalid, "\(key) already exists on this handset: edit it instead")
            }
            // A re-created record keeps the fields of its old life: only a fresh one is its
            // typed value exactly.
            let fresh = row.state.isEmpty
            return try Self.write(fields, to: &row, by: identity.replicaID, id: changeID, at: now, db, cache: rows,
                                  typed: fresh ? typed : nil, typedFields: fresh && typed != nil ? fields : nil)
        }
    }

    /// The one place a local edit becomes a change: refused while under review, else applied to
    /// the replica and queued in the same transaction.
    static func write(_ fields: [FieldPath: FieldValue], to row: inout RecordRow, by replica: ReplicaID, id: ChangeID,
                      at now: Date, _ db: Database, cache: RowCache,
                      typed: (any SyncedRecord)? = nil, typedFields: [FieldPath: FieldValue]? = nil) throws -> Change {
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
        try row.save(db, cache: cache, typed: typed, typedFields: typedFields)
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
