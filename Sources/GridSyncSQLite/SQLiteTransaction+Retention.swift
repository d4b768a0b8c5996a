import Foundation
import GRDB
import GridSyncCore
import GridSyncServer

extension SQLiteTransaction: Retention {
    func tombstones(changedBefore: Date, seqAtMost: Int64, limit: Int) throws -> [Tombstone] {
        try Row.fetchAll(db, sql: """
            SELECT r.kind, r.id, r.seq, (SELECT group_concat(g.grid, char(10)) FROM record_grid g WHERE g.kind = r.kind AND g.id = r.id) AS grids
            FROM record r JOIN change_log c ON c.seq = r.seq
            WHERE r.deleted = 1 AND r.in_conflict = 0 AND r.quarantined = 0 AND r.seq <= ? AND c.received_at < ?
            ORDER BY r.seq LIMIT ?
            """, arguments: [seqAtMost, changedBefore.timeIntervalSince1970, limit]).compactMap { row in
            guard let kind = RecordKind(rawValue: row["kind"]), let id = RecordID(row["id"] as String) else { return nil }
            let grids = ((row["grids"] as String?) ?? "").split(separator: "\n").compactMap { GridPath(String($0)) }
            return Tombstone(key: RecordKey(kind: kind, id: id), seq: row["seq"], grids: grids)
        }
    }

    func purge(_ tombstones: [Tombstone], at date: Date) throws {
        for tombstone in tombstones {
            let arguments: StatementArguments = [tombstone.key.kind.rawValue, tombstone.key.id.rawValue]
            for table in ["record", "record_grid", "record_photo", "rejected_dot"] {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE kind = ? AND id = ?").execute(arguments: arguments)
            }
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO purged_record (kind, id, seq, purged_at) VALUES (?, ?, ?, ?)")
                .execute(arguments: arguments + [tombstone.seq, date.timeIntervalSince1970])
        }
        cache?.removeAll()
    }

    func purgedKeys(_ keys: [RecordKey]) throws -> Set<RecordKey> {
        try keysListed(keys, in: "purged_record")
    }

    /// Which of `keys` have a row in `table`, a table keyed by `(kind, id)`.
    func keysListed(_ keys: [RecordKey], in table: String) throws -> Set<RecordKey> {
        let statement = try db.cachedStatement(sql: "SELECT 1 FROM \(table) WHERE kind = ? AND id = ?")
        return Set(try keys.filter { key in try Bool.fetchOne(statement, arguments: [key.kind.rawValue, key.id.rawValue]) != nil })
    }

    func purgedSeq() throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM purged_record") ?? 0
    }

    func notePulled(deviceID: String, upTo seq: Int64, rebasedSince: Date?) throws {
        try db.cachedStatement(sql: """
            UPDATE device SET pulled_seq = MAX(COALESCE(pulled_seq, 0), ?),
                rebase_due_at = CASE WHEN rebase_due_at <= ? THEN NULL ELSE rebase_due_at END WHERE id = ?
            """).execute(arguments: [seq, rebasedSince?.timeIntervalSince1970, deviceID])
    }

    func markRebaseDue(deviceIDs: [String], at date: Date) throws {
        let statement = try db.cachedStatement(sql: "UPDATE device SET rebase_due_at = ? WHERE id = ?")
        for id in deviceIDs { try statement.execute(arguments: [date.timeIntervalSince1970, id]) }
    }
}
