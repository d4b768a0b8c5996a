import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

extension SQLiteStore {
    public func push(_ batches: [PushBatch], decider: ChangeDecider) async throws -> [[ChangeResult]] {
        let cache = self.cache
        do {
            return try await Self.translatingUnavailable { try await write(batches, decider: decider, cache: cache) }
        } catch {
            cache.removeAll()
            throw error
        }
    }

    private func write(_ batches: [PushBatch], decider: ChangeDecider, cache: RecordCache) async throws -> [[ChangeResult]] {
        try await pool.write { db in
            var results: [[ChangeResult]] = []
            for batch in batches {
                var batchResults: [ChangeResult] = []
                for checked in batch.changes {
                    batchResults.append(try SQLiteStore.apply(checked, of: batch, decider: decider, cache: cache, db))
                }
                try db.execute(
                    sql: """
                        UPDATE device SET last_sync_at = ?, pending_changes = COALESCE(?, pending_changes),
                            app_version = COALESCE(?, app_version), protocol_version = ? WHERE id = ?
                        """,
                    arguments: [batch.receivedAt.timeIntervalSince1970, batch.report?.pendingChanges,
                                batch.report?.appVersion, WireProtocol.version, batch.device.id])
                results.append(batchResults)
            }
            return results
        }
    }

    /// One change inside the push transaction: the idempotency check, the decision, and every
    /// row it implies, written together.
    static func apply(_ checked: CheckedChange, of batch: PushBatch, decider: ChangeDecider, cache: RecordCache, _ db: Database) throws -> ChangeResult {
        let change = checked.change
        let id = change.id
        if let prior = try Data.fetchOne(
            db.cachedStatement(sql: "SELECT result FROM applied_change WHERE change_id = ?"), arguments: [id.rawValue]) {
            return try decode(ChangeResult.self, prior)
        }
        let result: ChangeResult
        let stored = try cache[change.record] ?? loadRecord(change.record, db)
        var writer: Set<ReplicaID> = [batch.device.replicaID]
        if !decider.replicasToVouchFor(change, stored: stored, device: batch.device.replicaID).isEmpty {
            writer.formUnion(try replicaIDs(ofWorker: batch.device.worker, db))
        }
        let inherited = try stored.map { try inheritedSupersedes(change, stored: $0, db) } ?? []
        switch decider.decide(checked, stored: stored, scope: batch.scope, writer: writer, inherited: inherited) {
        case .reject(let reason):
            result = ChangeResult(changeId: id, outcome: .rejected, reason: reason, recordInConflict: stored?.state.isInConflict ?? false)
            try logChange(change, device: batch.device.id, outcome: .rejected, at: batch.receivedAt, db)
            if stored != nil { try rememberRejected(change, inherited: inherited, writer: writer, db) }
        case .merge(let state, let grids, let outcome, let changed, let encoded):
            let seq = try logChange(change, device: batch.device.id, outcome: ChangeOutcome(outcome), at: batch.receivedAt, db)
            if changed {
                let saved = try saveRecord(change.record, state: state, encoded: encoded, grids: grids, previous: stored, seq: seq, at: batch.receivedAt, db)
                cache.store(saved)
            }
            result = ChangeResult(changeId: id, outcome: ChangeOutcome(outcome), recordInConflict: state.isInConflict)
        }
        try db.cachedStatement(sql: "INSERT INTO applied_change (change_id, device_id, result) VALUES (?, ?, ?)")
            .execute(arguments: [id.rawValue, batch.device.id, try encode(result)])
        return result
    }

    /// What the refused changes whose dots `change` supersedes had superseded.
    static func inheritedSupersedes(_ change: Change, stored: StoredRecord, _ db: Database) throws -> [Dot] {
        let statement = try db.cachedStatement(sql: "SELECT supersedes FROM rejected_dot WHERE kind = ? AND id = ? AND dot = ?")
        return try ChangeDecider.inheritedSupersedes(change, stored: stored) { dot in
            try String.fetchOne(statement, arguments: [change.record.kind.rawValue, change.record.id.rawValue, dot.description])
                .map { text in text.split(separator: " ").compactMap { Dot(String($0)) } }
        }
    }

    /// Notes, for each dot a refused change wrote, what that change superseded.
    static func rememberRejected(_ change: Change, inherited: [Dot], writer: Set<ReplicaID>, _ db: Database) throws {
        let superseded = ChangeDecider.supersededByRefusal(change, inherited: inherited, writer: writer)
        guard !superseded.isEmpty else { return }
        let text = superseded.map(\.description).joined(separator: " ")
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO rejected_dot (kind, id, dot, supersedes) VALUES (?, ?, ?, ?)")
        for dot in change.dots {
            try statement.execute(arguments: [change.record.kind.rawValue, change.record.id.rawValue, dot.description, text])
        }
    }

    /// Every replica id ever issued to a device of `worker`, revoked ones included: a re-installed
    /// handset pushes the outbox of the installation it replaced under that one's replica id.
    static func replicaIDs(ofWorker worker: String, _ db: Database) throws -> [ReplicaID] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT replica_id FROM device WHERE worker = ?"), arguments: [worker])
            .compactMap(ReplicaID.init)
    }

    @discardableResult
    static func logChange(_ change: Change, device: String, outcome: ChangeOutcome, at: Date, _ db: Database) throws -> Int64 {
        let clock = CompactJSON.text(change.clock)
        try db.cachedStatement(sql: """
            INSERT INTO change_log (change_id, kind, id, replica, clock, device_id, outcome, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                change.id.rawValue, change.record.kind.rawValue, change.record.id.rawValue, change.author?.rawValue, clock,
                device, outcome.rawValue, at.timeIntervalSince1970,
            ])
        return db.lastInsertedRowID
    }

    static func loadRecord(_ key: RecordKey, _ db: Database) throws -> StoredRecord? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT state, seq, conflict_since, before_delete, before_delete_contested FROM record WHERE kind = ? AND id = ?
                """),
            arguments: [key.kind.rawValue, key.id.rawValue]) else { return nil }
        let grids = try String.fetchAll(
            db.cachedStatement(sql: "SELECT grid FROM record_grid WHERE kind = ? AND id = ? AND current = 1 ORDER BY grid"),
            arguments: [key.kind.rawValue, key.id.rawValue]).compactMap(GridPath.init)
        let since: Double? = row["conflict_since"]
        let agreed: Data? = row["before_delete"]
        let contested: Data? = row["before_delete_contested"]
        let snapshot = try agreed.map { agreed in
            DeleteSnapshot(agreed: try decode([FieldPath: FieldValue].self, agreed),
                           contested: try contested.map { try decode(RecordState.self, $0).entries } ?? [:])
        }
        return StoredRecord(
            key: key, state: try decode(RecordState.self, row["state"]), grids: grids, seq: row["seq"],
            conflictSince: since.map(Date.init(timeIntervalSince1970:)), beforeDelete: snapshot)
    }

    @discardableResult
    static func saveRecord(_ key: RecordKey, state: RecordState, encoded: Data? = nil, grids: [GridPath], previous: StoredRecord?,
                           seq: Int64, at: Date, _ db: Database) throws -> StoredRecord {
        let conflictSince: Date? = state.isInConflict ? (previous?.conflictSince ?? at) : nil
        let beforeDelete = DeleteSnapshot.kept(for: state, previous: previous?.state, previousSnapshot: previous?.beforeDelete)
        let contested = beforeDelete.flatMap { $0.contested.isEmpty ? nil : RecordState(entries: $0.contested, context: .empty, clock: .empty) }
        try db.cachedStatement(sql: """
            INSERT INTO record (kind, id, state, seq, in_conflict, deleted, conflict_since, before_delete, before_delete_contested)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (kind, id) DO UPDATE SET state = excluded.state, seq = excluded.seq,
                in_conflict = excluded.in_conflict, deleted = excluded.deleted, conflict_since = excluded.conflict_since,
                before_delete = excluded.before_delete, before_delete_contested = excluded.before_delete_contested
            """).execute(arguments: [
                key.kind.rawValue, key.id.rawValue, encoded ?? CompactJSON.encode(state), seq, state.isInConflict, state.isDeleted,
                conflictSince?.timeIntervalSince1970, try beforeDelete.map { try encode($0.agreed) }, contested.map { CompactJSON.encode($0) },
            ])
        // A record that leaves a grid keeps a `current = 0` row there, so devices of that grid
        // are still sent the record's next version and learn that it moved out of their scope.
        if grids != previous?.grids {
            try db.cachedStatement(sql: "UPDATE record_grid SET current = 0 WHERE kind = ? AND id = ?")
                .execute(arguments: [key.kind.rawValue, key.id.rawValue])
            for grid in grids {
                try db.cachedStatement(sql: """
                    INSERT INTO record_grid (grid, kind, id, current) VALUES (?, ?, ?, 1)
                    ON CONFLICT (grid, kind, id) DO UPDATE SET current = 1
                    """).execute(arguments: [grid.description, key.kind.rawValue, key.id.rawValue])
            }
        }
        return StoredRecord(key: key, state: state, grids: grids, seq: seq, conflictSince: conflictSince, beforeDelete: beforeDelete)
    }

    public func records(within roots: [GridPath], seqAfter: Int64, seqAtMost: Int64?, limit: Int, maxBytes: Int) async throws -> PulledRecords {
        let scope = GridPath.subtreeCondition("g.grid", roots: roots)
        let arguments = scope.arguments + [seqAfter, seqAtMost ?? Int64.max, limit]
        return try await pool.read { db in
            // Driven from the grid index: a grid worker's pull touches its grid's few records,
            // not every record the district changed since the cursor. Quarantined records wait.
            let rows = try Row.fetchCursor(db, sql: """
                SELECT r.kind, r.id, r.state, r.seq, r.in_conflict, r.deleted, \(SQLiteStore.currentGridsColumn)
                FROM record r
                WHERE (r.kind, r.id) IN (SELECT g.kind, g.id FROM record_grid g WHERE \(scope.sql))
                  AND r.seq > ? AND r.seq <= ? AND r.quarantined = 0
                ORDER BY r.seq LIMIT ?
                """, arguments: arguments)
            var page = PulledRecords(records: [], unreadable: [], lastSeq: nil, full: false)
            var bytes = 0, seen = 0
            while let row = try rows.next() {
                seen += 1
                let state: Data = row["state"]
                // A page holds at least one record, and stops before the one that would pass
                // the byte bound: the next page starts with it.
                if !page.records.isEmpty && bytes + state.count > maxBytes {
                    page.full = true
                    return page
                }
                page.lastSeq = row["seq"]
                let kindText: String = row["kind"], idText: String = row["id"]
                guard let kind = RecordKind(rawValue: kindText), let id = RecordID(idText) else {
                    page.unreadable.append("\(kindText.prefix(32))/\(idText.prefix(64))")
                    continue
                }
                bytes += state.count
                page.records.append(PulledRecord(
                    kind: kind, id: id, grids: SQLiteStore.currentGrids(row), seq: row["seq"],
                    inConflict: row["in_conflict"], deleted: row["deleted"], state: state))
            }
            page.full = seen == limit
            return page
        }
    }

    public func currentSeq() async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM record") ?? 0
        }
    }

    public func markSynced(deviceID: String, at: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE device SET last_sync_at = ? WHERE id = ?", arguments: [at.timeIntervalSince1970, deviceID])
        }
    }
}
