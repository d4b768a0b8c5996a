import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol
import GridSyncServer

extension SQLiteTransaction: RecordLog {
    /// SQLite has one writer: a write transaction already holds every record.
    func lock(_ keys: [RecordKey]) throws {}

    func records(_ keys: [RecordKey]) throws -> [RecordKey: StoredRecord] {
        var found: [RecordKey: StoredRecord] = [:]
        for key in keys {
            if let cached = cache?[key] {
                found[key] = cached
            } else if let loaded = try load(key) {
                found[key] = loaded
            }
        }
        return found
    }

    private func load(_ key: RecordKey) throws -> StoredRecord? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT state, seq, conflict_since, before_delete, before_delete_contested, timing FROM record WHERE kind = ? AND id = ?
                """),
            arguments: [key.kind.rawValue, key.id.rawValue]) else { return nil }
        let grids = try String.fetchAll(
            db.cachedStatement(sql: "SELECT grid FROM record_grid WHERE kind = ? AND id = ? AND current = 1 ORDER BY grid"),
            arguments: [key.kind.rawValue, key.id.rawValue]).compactMap(GridPath.init)
        let since: Double? = row["conflict_since"]
        let agreed: Data? = row["before_delete"]
        let contested: Data? = row["before_delete_contested"]
        let timing: Data? = row["timing"]
        let snapshot = try agreed.map { agreed in
            DeleteSnapshot(agreed: try SQLiteStore.decode([FieldPath: FieldValue].self, agreed),
                           contested: try contested.map { try SQLiteStore.decode(RecordState.self, $0).entries } ?? [:])
        }
        return StoredRecord(
            key: key, state: try SQLiteStore.decode(RecordState.self, row["state"]), grids: grids, seq: row["seq"],
            conflictSince: since.map(Date.init(timeIntervalSince1970:)), beforeDelete: snapshot,
            timing: try timing.map { try SQLiteStore.decode(CaseTiming.self, $0) })
    }

    func save(_ writes: [RecordWrite]) throws {
        for write in writes { try save(write) }
    }

    private func save(_ write: RecordWrite) throws {
        let record = write.record, key = record.key
        let contested = record.beforeDelete.flatMap {
            $0.contested.isEmpty ? nil : RecordState(entries: $0.contested, context: .empty, clock: .empty)
        }
        try db.cachedStatement(sql: """
            INSERT INTO record (kind, id, state, seq, in_conflict, deleted, conflict_since, before_delete, before_delete_contested, timing)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (kind, id) DO UPDATE SET state = excluded.state, seq = excluded.seq,
                in_conflict = excluded.in_conflict, deleted = excluded.deleted, conflict_since = excluded.conflict_since,
                before_delete = excluded.before_delete, before_delete_contested = excluded.before_delete_contested,
                timing = excluded.timing
            """).execute(arguments: [
                key.kind.rawValue, key.id.rawValue, write.stateBytes, record.seq, record.state.isInConflict,
                record.state.isDeleted, record.conflictSince?.timeIntervalSince1970,
                try record.beforeDelete.map { try SQLiteStore.encode($0.agreed) }, contested.map { CompactJSON.encode($0) },
                write.timingBytes,
            ])
        // A record that leaves a grid keeps a `current = 0` row there, so devices of that grid
        // are still sent the record's next version and learn that it moved out of their scope.
        if write.gridsChanged {
            try db.cachedStatement(sql: "UPDATE record_grid SET current = 0 WHERE kind = ? AND id = ?")
                .execute(arguments: [key.kind.rawValue, key.id.rawValue])
            for grid in record.grids {
                try db.cachedStatement(sql: """
                    INSERT INTO record_grid (grid, kind, id, current) VALUES (?, ?, ?, 1)
                    ON CONFLICT (grid, kind, id) DO UPDATE SET current = 1
                    """).execute(arguments: [grid.description, key.kind.rawValue, key.id.rawValue])
            }
        }
        cache?.store(record)
    }

    func appendLog(_ entries: [ChangeLogEntry]) throws -> [Int64] {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO change_log (change_id, kind, id, replica, clock, device_id, outcome, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        return try entries.map { entry in
            try statement.execute(arguments: [
                entry.changeID, entry.record.kind.rawValue, entry.record.id.rawValue, entry.replica?.rawValue,
                entry.clock.map { CompactJSON.text($0) }, entry.source, entry.outcome, entry.receivedAt.timeIntervalSince1970,
            ])
            return db.lastInsertedRowID
        }
    }

    func currentSeq() throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM record") ?? 0
    }

    func latestClocks(of key: RecordKey) throws -> [ReplicaID: VectorClock] {
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

    func appliedResults(_ ids: [ChangeID]) throws -> [ChangeID: ChangeResult] {
        let statement = try db.cachedStatement(sql: "SELECT result FROM applied_change WHERE change_id = ?")
        var found: [ChangeID: ChangeResult] = [:]
        for id in ids {
            if let prior = try Data.fetchOne(statement, arguments: [id.rawValue]) {
                found[id] = try SQLiteStore.decode(ChangeResult.self, prior)
            }
        }
        return found
    }

    func saveApplied(_ results: [AppliedChange]) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO applied_change (change_id, device_id, result) VALUES (?, ?, ?)")
        for applied in results {
            try statement.execute(arguments: [applied.result.changeId.rawValue, applied.deviceID, try SQLiteStore.encode(applied.result)])
        }
    }

    func rejectedSupersedes(_ key: RecordKey, dot: Dot) throws -> [Dot]? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT supersedes FROM rejected_dot WHERE kind = ? AND id = ? AND dot = ?"),
                            arguments: [key.kind.rawValue, key.id.rawValue, dot.description])
            .map { text in text.split(separator: " ").compactMap { Dot(String($0)) } }
    }

    func rememberRejected(_ key: RecordKey, dots: [Dot], supersedes: [Dot]) throws {
        let text = supersedes.map(\.description).joined(separator: " ")
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO rejected_dot (kind, id, dot, supersedes) VALUES (?, ?, ?, ?)")
        for dot in dots {
            try statement.execute(arguments: [key.kind.rawValue, key.id.rawValue, dot.description, text])
        }
    }

    func changedRecords(within roots: [GridPath], seqAfter: Int64, seqAtMost: Int64, limit: Int) throws -> [StoredRow] {
        let scope = GridPath.subtreeCondition("g.grid", roots: roots)
        var grids = GridPathMemo()
        // Driven from the grid index: a grid worker's pull touches its grid's few records, not
        // every record the district changed since the cursor. Quarantined records wait.
        return try Row.fetchAll(db, sql: """
            SELECT r.kind, r.id, r.state, r.seq, r.in_conflict, r.deleted, r.timing, \(Self.currentGridsColumn),
                r.deleted = 1 AND EXISTS (SELECT 1 FROM erasure e WHERE e.kind = r.kind AND e.id = r.id) AS erased
            FROM record r
            WHERE (r.kind, r.id) IN (SELECT g.kind, g.id FROM record_grid g WHERE \(scope.sql))
              AND r.seq > ? AND r.seq <= ? AND r.quarantined = 0
            ORDER BY r.seq LIMIT ?
            """, arguments: scope.arguments + [seqAfter, seqAtMost, limit]).map { row in
            StoredRow(kind: row["kind"], id: row["id"], grids: grids.list(spaceSeparated: row["grids"] as String? ?? ""), seq: row["seq"],
                      inConflict: row["in_conflict"], deleted: row["deleted"], state: row["state"], timing: row["timing"], erased: row["erased"])
        }
    }

    func changedCount(within roots: [GridPath], seqAfter: Int64) throws -> Int {
        let scope = GridPath.subtreeCondition("g.grid", roots: roots)
        return try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM record r WHERE (r.kind, r.id) IN (SELECT g.kind, g.id FROM record_grid g WHERE \(scope.sql)) AND r.seq > ?
            """, arguments: scope.arguments + [seqAfter]) ?? 0
    }

    func conflictKeys(under root: GridPath?, kind: RecordKind?) throws -> [RecordKey] {
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
            guard let kind = RecordKind(rawValue: row["kind"]), let id = RecordID(row["id"]) else { return nil }
            return RecordKey(kind: kind, id: id)
        }
    }

    func recordKeys(ofKind kind: RecordKind, under root: GridPath?) throws -> [RecordKey] {
        var sql = "SELECT DISTINCT g.id FROM record_grid g WHERE g.kind = ? AND g.current = 1"
        var arguments: StatementArguments = [kind.rawValue]
        if let root {
            let scope = GridPath.subtreeCondition("g.grid", roots: [root])
            sql += " AND \(scope.sql)"
            arguments += scope.arguments
        }
        return try String.fetchAll(db, sql: sql + " ORDER BY g.id", arguments: arguments).compactMap { id in
            RecordID(id).map { RecordKey(kind: kind, id: $0) }
        }
    }

    func conflictGrids() throws -> [GridPath] {
        try String.fetchAll(db, sql: """
            SELECT g.grid FROM record r JOIN record_grid g ON g.kind = r.kind AND g.id = r.id AND g.current = 1 WHERE r.in_conflict = 1
            """).compactMap(GridPath.init)
    }

    func changeCounts(since: Date) throws -> [GridPath: Int] {
        var counts: [GridPath: Int] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT g.grid, COUNT(*) AS n FROM change_log c JOIN record_grid g ON g.kind = c.kind AND g.id = c.id AND g.current = 1
            WHERE c.received_at >= ? AND c.outcome NOT IN ('rejected', 'released') GROUP BY g.grid
            """, arguments: [since.timeIntervalSince1970]) {
            if let grid = GridPath(row["grid"]) { counts[grid, default: 0] += row["n"] as Int }
        }
        return counts
    }

    func changesAppliedTwice() throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM (SELECT change_id FROM change_log WHERE outcome IN ('applied', 'merged', 'conflict')
            GROUP BY change_id HAVING COUNT(*) > 1)
            """) ?? 0
    }

    func isQuarantined(_ key: RecordKey) throws -> Bool? {
        try Bool.fetchOne(db, sql: "SELECT quarantined FROM record WHERE kind = ? AND id = ?", arguments: [key.kind.rawValue, key.id.rawValue])
    }

    func setQuarantine(_ key: RecordKey, reason: String?, at: Date, seq: Int64?) throws {
        if let reason {
            try db.execute(sql: """
                UPDATE record SET quarantined = 1, quarantine_reason = ?, quarantined_at = ? WHERE kind = ? AND id = ?
                """, arguments: [reason, at.timeIntervalSince1970, key.kind.rawValue, key.id.rawValue])
        } else {
            try db.execute(sql: """
                UPDATE record SET quarantined = 0, quarantine_reason = NULL, quarantined_at = NULL, seq = COALESCE(?, seq)
                WHERE kind = ? AND id = ?
                """, arguments: [seq, key.kind.rawValue, key.id.rawValue])
        }
        // The cache holds states, not the mark; a released record's position changed.
        if let seq, var cached = cache?[key] {
            cached.seq = seq
            cache?.store(cached)
        }
    }

    func quarantined() throws -> [QuarantinedRecord] {
        try Row.fetchAll(db, sql: """
            SELECT r.kind, r.id, r.quarantine_reason, r.quarantined_at, \(Self.currentGridsColumn)
            FROM record r WHERE r.quarantined = 1 ORDER BY r.quarantined_at, r.kind, r.id
            """).compactMap { row in
            guard let kind = RecordKind(rawValue: row["kind"]), let id = RecordID(row["id"]) else { return nil }
            return QuarantinedRecord(kind: kind, id: id, grids: Self.currentGrids(row),
                                     reason: row["quarantine_reason"] ?? "", since: Date(timeIntervalSince1970: row["quarantined_at"] ?? 0))
        }
    }
}
