import Foundation
import GRDB
import GridSyncCore

extension FieldClient {
    /// One record by id, or `nil` if this handset does not hold it.
    public func record<R: SyncedRecord>(_ type: R.Type, id: RecordID) throws -> LocalRecord<R>? {
        let key = RecordKey(kind: R.kind, id: id)
        let own = try identity?.replicaID
        return try pool.read { db in
            guard let row = try RecordRow.fetch(key, db, cache: nil) else { return nil }
            return LocalRecord<R>(key: key, state: row.state, pending: try Outbox.hasPending(key, db), ownReplica: own)
        }
    }

    /// One record's local state, siblings and context included: what the next change on this
    /// handset is built from. For tools and tests; apps read ``record(_:id:)``.
    public func recordState(_ key: RecordKey) throws -> RecordState? {
        try pool.read { db in try RecordRow.fetch(key, db, cache: nil)?.state }
    }

    /// Every record state in the replica, for tools that compare replicas with the server.
    public func replicaStates() throws -> [RecordKey: RecordState] {
        try pool.read { db in
            var states: [RecordKey: RecordState] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT kind, id, state FROM record") {
                guard let kind = RecordKind(rawValue: row["kind"]), let id = RecordID(row["id"]) else { continue }
                states[RecordKey(kind: kind, id: id)] = try LocalCoding.decode(RecordState.self, row["state"])
            }
            return states
        }
    }

    /// Records of one kind matching `query`, ordered by id.
    public func records<R: SyncedRecord>(_ type: R.Type, _ query: RecordQuery = RecordQuery()) throws -> [LocalRecord<R>] {
        let own = try identity?.replicaID
        return try pool.read { db in try Self.fetch(type, query, ownReplica: own, db) }
    }

    /// The records matching `query`, now and after every change to the replica: bind a list
    /// view to it.
    public nonisolated func observe<R: SyncedRecord>(_ type: R.Type, _ query: RecordQuery = RecordQuery()) -> AsyncValueObservation<[LocalRecord<R>]> {
        let pool = self.pool
        return ValueObservation.tracking { db in
            let own = try DeviceIdentity.load(db)?.replicaID
            return try Self.fetch(type, query, ownReplica: own, db)
        }.values(in: pool)
    }

    static func fetch<R: SyncedRecord>(_ type: R.Type, _ query: RecordQuery, ownReplica: ReplicaID?, _ db: Database) throws -> [LocalRecord<R>] {
        var sql = """
            SELECT id, state, EXISTS (SELECT 1 FROM outbox o WHERE o.kind = r.kind AND o.record_id = r.id) AS pending
            FROM record r WHERE kind = ?
            """
        var arguments: StatementArguments = [R.kind.rawValue]
        if !query.includeDeleted { sql += " AND deleted = 0" }
        if let grid = query.grid {
            // grids is a space-separated list; match the grid itself or anything below it.
            sql += " AND (' ' || grids || ' ' LIKE ? OR ' ' || grids LIKE ?)"
            arguments += ["% \(grid) %", "% \(grid)/%"]
        }
        if let household = query.householdID { sql += " AND household_id = ?"; arguments += [household.rawValue] }
        if let worker = query.worker { sql += " AND worker = ?"; arguments += [worker] }
        if let day = query.day { sql += " AND day = ?"; arguments += [day.description] }
        sql += " ORDER BY id"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
            guard let id = RecordID(row["id"]) else { return nil }
            let state = try LocalCoding.decode(RecordState.self, row["state"])
            return LocalRecord<R>(key: RecordKey(kind: R.kind, id: id), state: state, pending: row["pending"], ownReplica: ownReplica)
        }
    }
}
