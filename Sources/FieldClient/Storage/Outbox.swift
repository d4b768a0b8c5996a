import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

/// The durable queue of changes not yet acknowledged by the server, oldest first.
enum Outbox {
    struct Entry {
        let seq: Int64
        let change: Change
        /// The change's wire JSON, stored once so pushes splice it rather than re-encode it.
        let body: Data
        /// Acknowledged once, and put back by a rebase.
        var requeued = false
    }

    static func append(_ change: Change, at date: Date, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO outbox (change_id, kind, record_id, body, created_at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [change.id.rawValue, change.record.kind.rawValue, change.record.id.rawValue,
                                 CompactJSON.encode(change), date.timeIntervalSince1970])
        if db.changesCount > 0 { try PhotoQueue.noteNamed(by: change, atSeq: db.lastInsertedRowID, db) }
    }

    static func oldest(_ limit: Int, _ db: Database) throws -> [Entry] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, body, requeued FROM outbox ORDER BY seq LIMIT ?"), arguments: [limit]).map { row in
            let body: Data = row["body"]
            return Entry(seq: row["seq"], change: try WireCoding.decode(Change.self, from: body), body: body, requeued: row["requeued"])
        }
    }

    /// An acknowledged change leaves the outbox for the `sent` table, where it stays for
    /// `retention` under its outbox position: a server restored from a backup taken before it
    /// arrived asks for it again (``requeueSent(_:)``).
    static func acknowledge(_ id: ChangeID, at date: Date, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO sent (seq, change_id, kind, record_id, body, created_at, acked_at)
            SELECT seq, change_id, kind, record_id, body, created_at, ? FROM outbox WHERE change_id = ?
            """).execute(arguments: [date.timeIntervalSince1970, id.rawValue])
        try remove(id, db)
    }

    /// Forgets acknowledged changes older than `retention`: the oldest backup a command centre
    /// would restore.
    static func forgetSent(before date: Date, _ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM sent WHERE acked_at < ?").execute(arguments: [date.timeIntervalSince1970])
    }

    /// The server was restored from a backup (a rebase, see Protocol/README.md "Restores"):
    /// every acknowledged change still kept goes back into the outbox at its old position,
    /// ahead of the unsent ones, so that the changes reach the server again in the order they
    /// were made. Those the server kept are answered from its idempotency record; the rest are
    /// applied. Returns how many went back.
    static func requeueSent(_ db: Database) throws -> Int {
        try db.execute(sql: """
            INSERT OR IGNORE INTO outbox (seq, change_id, kind, record_id, body, created_at, requeued)
            SELECT seq, change_id, kind, record_id, body, created_at, 1 FROM sent ORDER BY seq
            """)
        let requeued = db.changesCount
        try db.execute(sql: "DELETE FROM sent")
        return requeued
    }

    static func remove(_ id: ChangeID, _ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM outbox WHERE change_id = ?").execute(arguments: [id.rawValue])
    }

    static func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0
    }

    static func pending(for key: RecordKey, _ db: Database) throws -> [Change] {
        try Data.fetchAll(db.cachedStatement(sql: "SELECT body FROM outbox WHERE kind = ? AND record_id = ? ORDER BY seq"),
                          arguments: [key.kind.rawValue, key.id.rawValue]).map { try WireCoding.decode(Change.self, from: $0) }
    }

    static func hasPending(_ key: RecordKey, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM outbox WHERE kind = ? AND record_id = ?)"),
                          arguments: [key.kind.rawValue, key.id.rawValue]) ?? false
    }

    /// Moves a change the server refused for good into the visible rejected list, and takes it
    /// back out of the local record.
    static func park(_ change: Change, reason: RejectReason, at date: Date, _ db: Database, cache: RowCache) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO rejected (change_id, kind, record_id, body, code, message, field, rejected_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [change.id.rawValue, change.record.kind.rawValue, change.record.id.rawValue,
                                     try WireCoding.encode(change), reason.code, reason.message, reason.field, date.timeIntervalSince1970])
        try remove(change.id, db)
        try rebuild(change.record, db, cache: cache)
    }

    /// Joins changes the server accepted into their records' confirmed states: the confirmed
    /// state is pulled states joined with accepted changes. Without it, a record rebuilt after a
    /// later rejection would lose the accepted edit until the next pull, and an edit made in
    /// that moment would leave the worker in conflict with himself.
    static func confirm(_ changes: [Change], _ db: Database, cache: RowCache) throws {
        var byRecord: [RecordKey: [Change]] = [:]
        for change in changes { byRecord[change.record, default: []].append(change) }
        for (key, accepted) in byRecord {
            guard var row = try RecordRow.fetch(key, db, cache: cache) else { continue }
            var confirmed = row.serverState ?? RecordState()
            for change in accepted { confirmed.merge(RecordState(change)) }
            row.serverState = confirmed
            try row.save(db, cache: cache)
        }
    }

    /// Recomputes a record's local state from the server's version and the changes still queued.
    static func rebuild(_ key: RecordKey, _ db: Database, cache: RowCache) throws {
        guard var row = try RecordRow.fetch(key, db, cache: cache) else { return }
        var state = row.serverState ?? RecordState()
        for change in try pending(for: key, db) { state.apply(change) }
        // The refused change's counters stay used: a dot names one write, ever. So a record
        // left with nothing (its creation refused) keeps its row, with the clock alone.
        state.reserveCounters(row.state.clock)
        if state.isEmpty && state.clock == .empty {
            try RecordRow.delete(key, db, cache: cache)
        } else {
            row.state = state
            try row.save(db, cache: cache)
        }
    }
}
