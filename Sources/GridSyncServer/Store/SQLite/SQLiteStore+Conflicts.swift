import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

extension SQLiteStore {
    public func conflicts(under root: GridPath?, kind: RecordKind?) async throws -> [StoredRecord] {
        try await pool.read { db in
            var sql = "SELECT kind, id FROM record r WHERE in_conflict = 1"
            var arguments: StatementArguments = []
            if let kind {
                sql += " AND kind = ?"
                arguments += [kind.rawValue]
            }
            if let root {
                let scope = GridPath.subtreeCondition("g.grid", roots: [root])
                sql += " AND EXISTS (SELECT 1 FROM record_grid g WHERE g.kind = r.kind AND g.id = r.id AND g.current = 1 AND \(scope.sql))"
                arguments += scope.arguments
            }
            sql += " ORDER BY conflict_since, kind, id"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                try SQLiteStore.loadRecord(RecordKey(kind: RecordKind(rawValue: row["kind"])!, id: RecordID(row["id"])!), db)
            }
        }
    }

    public func record(_ key: RecordKey) async throws -> StoredRecord? {
        try await pool.read { db in try SQLiteStore.loadRecord(key, db) }
    }

    public func latestClocks(of key: RecordKey) async throws -> [ReplicaID: VectorClock] {
        try await pool.read { db in
            var clocks: [ReplicaID: VectorClock] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT replica, clock FROM change_log
                WHERE kind = ? AND id = ? AND outcome != 'rejected' AND replica IS NOT NULL ORDER BY seq
                """, arguments: [key.kind.rawValue, key.id.rawValue])
            for row in rows {
                guard let replica = ReplicaID(row["replica"]), let text: String = row["clock"] else { continue }
                clocks[replica] = try SQLiteStore.decode(VectorClock.self, Data(text.utf8))
            }
            return clocks
        }
    }

    public func resolve(_ key: RecordKey, expectedVersion: Int64, actor: String,
                        make: @Sendable (StoredRecord) throws -> Change) async throws -> StoredRecord {
        let cache = self.cache
        do {
            return try await Self.translatingUnavailable { try await pool.write { db in
                guard let stored = try SQLiteStore.loadRecord(key, db) else { throw StoreError(.notFound) }
                guard stored.seq == expectedVersion else { throw StoreError(.versionChanged) }
                let change = try make(stored)
                var state = stored.state
                let outcome = state.apply(change)
                let now = Date()
                let seq = try SQLiteStore.logChange(change, device: actor, outcome: ChangeOutcome(outcome), at: now, db)
                let grids = RecordRules.grids(of: state, fallback: stored.grids)
                let saved = try SQLiteStore.saveRecord(key, state: state, grids: grids, previous: stored, seq: seq, at: now, db)
                // Inside the transaction, so no push can see the record between commit and cache.
                cache.store(saved)
                return saved
            } }
        } catch {
            cache.removeAll()
            throw error
        }
    }
}
