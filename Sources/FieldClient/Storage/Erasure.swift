import Foundation
import GRDB
import GridSyncCore

/// A household erased on request (PIPL) goes from every place a handset keeps it: the replica,
/// the outbox (a change to it could never be accepted), the acknowledged changes kept for a
/// restore, the parked rejections a person would read, and a rebase's unseen list. Nothing is
/// parked in its place: parking would keep the very values erased. `Protocol/README.md`, "Erasure".
///
/// `secure_delete` zeroes what the rows held in the file (``ReplicaDatabase``); the write-ahead
/// log still holds old page versions until ``FieldClient/sync()`` truncates it, which it does
/// whenever ``Meta/scrubOwed`` is set.
enum Erasure {
    static func erase(_ key: RecordKey, _ db: Database, cache: RowCache) throws {
        let arguments: StatementArguments = [key.kind.rawValue, key.id.rawValue]
        try RecordRow.delete(key, db, cache: cache)
        for table in ["outbox", "sent", "rejected"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE kind = ? AND record_id = ?", arguments: arguments)
        }
        try db.execute(sql: "DELETE FROM rebase_unseen WHERE kind = ? AND id = ?", arguments: arguments)
        try Meta.scrubOwed.set("1", db)
    }

    /// Truncates the write-ahead log when an erasure asked for it. Readers can hold it; then the
    /// next sync tries again.
    static func scrubIfOwed(_ pool: DatabasePool) async {
        guard (try? await pool.read({ db in try Meta.scrubOwed.get(db) })) ?? nil != nil else { return }
        do {
            try await pool.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
                try Meta.scrubOwed.set(nil, db)
            }
        } catch {}
    }
}
