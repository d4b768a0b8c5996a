import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

extension SQLiteStore {
    public func quarantine(_ key: RecordKey, reason: String, at: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE record SET quarantined = 1, quarantine_reason = ?, quarantined_at = ? WHERE kind = ? AND id = ?
                """, arguments: [reason, at.timeIntervalSince1970, key.kind.rawValue, key.id.rawValue])
            return db.changesCount > 0
        }
    }

    public func release(_ key: RecordKey, actor: String, at: Date) async throws -> Bool {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT quarantined FROM record WHERE kind = ? AND id = ?",
                                    arguments: [key.kind.rawValue, key.id.rawValue]) == true else { return false }
            // A change-log position of its own, so every terminal in scope is sent the record's
            // current version, however long ago its last change was.
            try db.execute(sql: """
                INSERT INTO change_log (change_id, kind, id, replica, clock, device_id, outcome, received_at)
                VALUES (?, ?, ?, NULL, NULL, ?, 'released', ?)
                """, arguments: ["release-" + TokenFactory.shortID(), key.kind.rawValue, key.id.rawValue, actor, at.timeIntervalSince1970])
            try db.execute(sql: """
                UPDATE record SET quarantined = 0, quarantine_reason = NULL, quarantined_at = NULL, seq = ? WHERE kind = ? AND id = ?
                """, arguments: [db.lastInsertedRowID, key.kind.rawValue, key.id.rawValue])
            return true
        }
    }

    public func quarantined() async throws -> [QuarantinedRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.kind, r.id, r.quarantine_reason, r.quarantined_at, \(SQLiteStore.currentGridsColumn)
                FROM record r WHERE r.quarantined = 1 ORDER BY r.quarantined_at, r.kind, r.id
                """).compactMap { row in
                guard let kind = RecordKind(rawValue: row["kind"]), let id = RecordID(row["id"]) else { return nil }
                return QuarantinedRecord(kind: kind, id: id, grids: SQLiteStore.currentGrids(row),
                                         reason: row["quarantine_reason"] ?? "", since: Date(timeIntervalSince1970: row["quarantined_at"] ?? 0))
            }
        }
    }
}
