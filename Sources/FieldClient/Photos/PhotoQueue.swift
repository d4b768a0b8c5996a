import Foundation
import GRDB
import GridSyncCore

/// The handset's photos and how far each upload got, apart from the outbox: a record's
/// changes never wait behind a photo, and a photo waits only for the change that names it.
///
/// A photo is uploaded once the change that first named it has left the outbox (the server
/// holds the record, so the photo is never garbage there), oldest first. Every step is a row
/// update, so a killed app resumes where it was.
enum PhotoQueue {
    struct Pending: Sendable, Hashable {
        let digest: BlobDigest
        let byteCount: Int
    }

    static func add(_ digest: BlobDigest, byteCount: Int, takenAt: Date, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO photo (digest, byte_count, taken_at) VALUES (?, ?, ?)
            ON CONFLICT (digest) DO UPDATE SET stored = 1
            """, arguments: [digest.hex, byteCount, takenAt.timeIntervalSince1970])
    }

    /// Called for every change put in the outbox: its photos wait for it.
    static func noteNamed(by change: Change, atSeq seq: Int64, _ db: Database) throws {
        let named = PhotoDigests.named(by: change)
        guard !named.isEmpty else { return }
        let statement = try db.cachedStatement(sql: "UPDATE photo SET named_at_seq = ? WHERE digest = ? AND named_at_seq IS NULL")
        for digest in named { try statement.execute(arguments: [seq, digest.hex]) }
    }

    /// The oldest photo ready to go: named by a change the server has acknowledged, not yet
    /// uploaded, its bytes still here, and not refused for good.
    static func next(_ db: Database) throws -> Pending? {
        try Row.fetchOne(db, sql: """
            SELECT digest, byte_count FROM photo p
            WHERE uploaded_at IS NULL AND stored = 1 AND failed = 0 AND named_at_seq IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.seq <= p.named_at_seq)
            ORDER BY taken_at, digest LIMIT 1
            """).flatMap { row in BlobDigest(row["digest"] as String).map { Pending(digest: $0, byteCount: row["byte_count"]) } }
    }

    static func confirm(_ digest: BlobDigest, bytes: Int, _ db: Database) throws {
        try db.execute(sql: "UPDATE photo SET bytes_confirmed = ? WHERE digest = ?", arguments: [bytes, digest.hex])
    }

    static func uploaded(_ digest: BlobDigest, at date: Date, _ db: Database) throws {
        try db.execute(sql: "UPDATE photo SET uploaded_at = ?, bytes_confirmed = byte_count, last_error = NULL WHERE digest = ?",
                       arguments: [date.timeIntervalSince1970, digest.hex])
    }

    /// A refusal no retry cures (too large, or the file no longer hashes to its name): kept
    /// and shown, never retried by itself.
    static func fail(_ digest: BlobDigest, reason: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE photo SET failed = 1, last_error = ? WHERE digest = ?", arguments: [reason, digest.hex])
    }

    /// A rebase: the restored server may lack photos it had taken. Each photo this handset
    /// took and still holds goes again; one the server kept costs one request.
    static func offerAgain(_ db: Database) throws {
        try db.execute(sql: "UPDATE photo SET uploaded_at = NULL, bytes_confirmed = 0 WHERE uploaded_at IS NOT NULL AND stored = 1 AND downloaded = 0 AND failed = 0")
    }

    /// Marks a photo ready to upload now unless a change still in the outbox names it.
    static func readyNow(_ digest: BlobDigest, _ db: Database) throws {
        try db.execute(sql: "UPDATE photo SET named_at_seq = 0 WHERE digest = ? AND named_at_seq IS NULL", arguments: [digest.hex])
    }

    /// Photos taken here that the server does not have yet (not refused for good), oldest
    /// first: what an outbox export carries.
    static func notUploaded(_ db: Database) throws -> [(BlobDigest, Date)] {
        try Row.fetchAll(db, sql: """
            SELECT digest, taken_at FROM photo
            WHERE uploaded_at IS NULL AND stored = 1 AND failed = 0 AND downloaded = 0
            ORDER BY taken_at, digest
            """).compactMap { row in
            BlobDigest(row["digest"] as String).map { ($0, Date(timeIntervalSince1970: row["taken_at"])) }
        }
    }

    static func isStored(_ digest: BlobDigest, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT stored FROM photo WHERE digest = ?", arguments: [digest.hex]) ?? false
    }

    static func downloaded(_ digest: BlobDigest, byteCount: Int, at date: Date, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO photo (digest, byte_count, taken_at, uploaded_at, bytes_confirmed, downloaded) VALUES (?, ?, ?, ?, ?, 1)
            ON CONFLICT (digest) DO UPDATE SET stored = 1
            """, arguments: [digest.hex, byteCount, date.timeIntervalSince1970, date.timeIntervalSince1970, byteCount])
    }

    static func pin(_ digest: BlobDigest, _ pinned: Bool, _ db: Database) throws {
        try db.execute(sql: "UPDATE photo SET pinned = ? WHERE digest = ?", arguments: [pinned, digest.hex])
    }

    /// Photos whose bytes may go: on the server, not pinned, and uploaded (or downloaded)
    /// before `cutoff`.
    static func evictable(before cutoff: Date, _ db: Database) throws -> [BlobDigest] {
        try String.fetchAll(db, sql: """
            SELECT digest FROM photo WHERE stored = 1 AND pinned = 0 AND uploaded_at IS NOT NULL AND uploaded_at < ?
            """, arguments: [cutoff.timeIntervalSince1970]).compactMap(BlobDigest.init)
    }

    static func evicted(_ digest: BlobDigest, _ db: Database) throws {
        try db.execute(sql: "UPDATE photo SET stored = 0 WHERE digest = ?", arguments: [digest.hex])
    }

    /// Photos not yet on the server, and their bytes not yet confirmed there.
    static func backlog(_ db: Database) throws -> (photos: Int, bytes: Int) {
        let row = try Row.fetchOne(db, sql: """
            SELECT COUNT(*) AS photos, COALESCE(SUM(byte_count - bytes_confirmed), 0) AS bytes FROM photo WHERE uploaded_at IS NULL AND failed = 0
            """)
        return (row?["photos"] ?? 0, row?["bytes"] ?? 0)
    }
}
