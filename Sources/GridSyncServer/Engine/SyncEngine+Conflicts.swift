import Foundation
import GridSyncCore
import GridSyncProtocol

extension SyncEngine {
    public func conflicts(under root: GridPath?, kind: RecordKind?) async throws -> [StoredRecord] {
        try await store.read { transaction in
            let keys = try transaction.conflictKeys(under: root, kind: kind)
            let records = try transaction.records(keys)
            return keys.compactMap { records[$0] }
        }
    }

    public func record(_ key: RecordKey) async throws -> StoredRecord? {
        try await store.read { try $0.records([key])[key] }
    }

    /// The clock of the latest change each replica made to a record, for the conflict view.
    public func latestClocks(of key: RecordKey) async throws -> [ReplicaID: VectorClock] {
        try await store.read { try $0.latestClocks(of: key) }
    }

    /// Applies a resolution change made by ops, if the record is still at `expectedVersion`.
    /// `make` builds the change from the record as it stands inside the transaction.
    public func resolve(_ key: RecordKey, expectedVersion: Int64, actor: String, at now: Date = Date(),
                        make: @escaping @Sendable (StoredRecord) throws -> Change) async throws -> StoredRecord {
        try await applyServerChange(key, expectedVersion: expectedVersion, actor: actor, at: now, make: make)
    }

    /// Applies a change the server writes under its own replica (a resolution, a command-centre
    /// move of a work order), built by `make` from the record as it stands inside the write
    /// transaction, so nothing pushed meanwhile is overlooked. With `expectedVersion`, refused
    /// (`versionChanged`) if the record moved on since ops looked at it.
    public func applyServerChange(_ key: RecordKey, expectedVersion: Int64?, actor: String, at now: Date,
                                  make: @escaping @Sendable (StoredRecord) throws -> Change) async throws -> StoredRecord {
        let deadlines = self.deadlines
        return try await store.write { transaction in
            try transaction.lock([key])
            guard let stored = try transaction.records([key])[key] else { throw StoreError(.notFound) }
            if let expectedVersion, stored.seq != expectedVersion { throw StoreError(.versionChanged) }
            let change = try make(stored)
            var state = stored.state
            let outcome = state.apply(change)
            let seq = try transaction.appendLog([ChangeLogEntry(
                changeID: change.id.rawValue, record: key, replica: change.author, clock: change.clock, source: actor,
                outcome: ChangeOutcome(outcome).rawValue, receivedAt: now)])[0]
            var saved = stored.next(state: state, grids: RecordRules.grids(of: state, fallback: stored.grids), at: now, deadlines: deadlines)
            saved.seq = seq
            try transaction.save([RecordWrite(record: saved, encoded: nil, gridsChanged: saved.grids != stored.grids)])
            let named = PhotoDigests.named(by: change)
            if !named.isEmpty { try transaction.notePhotos([key: named]) }
            return saved
        }
    }

    /// The replica id resolutions made through this engine are written under.
    public func serverReplica() async throws -> ReplicaID {
        try await store.serverReplica()
    }
}
