import Foundation
import GRDB

/// The handset's SQLite file: the local replica, the outbox, parked rejections and sync state.
enum ReplicaDatabase {
    /// 4,000 pages of 4 KiB: about 16 MB of log before SQLite folds it in by itself.
    static let autocheckpointPages = 4_000

    static func open(path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // An acknowledged write must survive the battery dying a moment later.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // The log is folded into the file after each sync (``FieldClient/sync()``), not in
            // the middle of a worker's typing: SQLite's own checkpoint every 1,000 pages made
            // one edit in a hundred ten times slower. This bounds the log if syncs stop.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(ReplicaDatabase.autocheckpointPages)")
            // Deleted bytes are zeroed, so that an erased household (``Erasure``) leaves nothing
            // in the file's free space.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        try migrator.migrate(pool)
        return pool
    }

    /// Versioned schema. Add a migration; never edit one that has shipped.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE record (
                    kind TEXT NOT NULL, id TEXT NOT NULL,
                    server_state BLOB, state BLOB NOT NULL,
                    grids TEXT NOT NULL DEFAULT '', household_id TEXT, worker TEXT, day TEXT,
                    in_conflict INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (kind, id)) WITHOUT ROWID;
                CREATE INDEX record_grids ON record(grids);
                CREATE INDEX record_household ON record(household_id);
                CREATE INDEX record_worker ON record(worker);
                CREATE INDEX record_day ON record(day);
                CREATE TABLE outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, change_id TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL, record_id TEXT NOT NULL, body BLOB NOT NULL, created_at REAL NOT NULL);
                CREATE INDEX outbox_record ON outbox(kind, record_id);
                CREATE TABLE rejected (
                    change_id TEXT PRIMARY KEY, kind TEXT NOT NULL, record_id TEXT NOT NULL, body BLOB NOT NULL,
                    code TEXT NOT NULL, message TEXT NOT NULL, field TEXT, rejected_at REAL NOT NULL);
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """)
        }
        migrator.registerMigration("v2-case-timing") { db in
            // A work order's deadlines as the server last sent them.
            try db.execute(sql: "ALTER TABLE record ADD COLUMN timing BLOB")
        }
        migrator.registerMigration("v3-photo-queue") { db in
            // Photos, apart from the outbox (``PhotoQueue``): bytes in files beside the replica.
            try db.execute(sql: """
                CREATE TABLE photo (
                    digest TEXT PRIMARY KEY, byte_count INTEGER NOT NULL, taken_at REAL NOT NULL,
                    named_at_seq INTEGER, uploaded_at REAL, bytes_confirmed INTEGER NOT NULL DEFAULT 0,
                    pinned INTEGER NOT NULL DEFAULT 0, stored INTEGER NOT NULL DEFAULT 1,
                    downloaded INTEGER NOT NULL DEFAULT 0, last_error TEXT, failed INTEGER NOT NULL DEFAULT 0);
                CREATE INDEX photo_pending ON photo(uploaded_at, taken_at);
                """)
        }
        migrator.registerMigration("v4-sent") { db in
            // Changes the server acknowledged, kept a while (``Outbox/acknowledge``) under their
            // outbox positions, so that a server restored from a backup gets them again.
            try db.execute(sql: """
                CREATE TABLE sent (
                    seq INTEGER PRIMARY KEY, change_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, record_id TEXT NOT NULL,
                    body BLOB NOT NULL, created_at REAL NOT NULL, acked_at REAL NOT NULL);
                CREATE INDEX sent_acked ON sent(acked_at);
                """)
            // During a rebase: the records the fresh pull has not sent yet. Those still listed
            // when it ends are gone from the server (purged, or lost with a restore).
            try db.execute(sql: "CREATE TABLE rebase_unseen (kind TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID")
        }
        migrator.registerMigration("v5-requeued") { db in
            // Marks a change a rebase put back (``Outbox/requeueSent(_:)``): the server accepted
            // it once, so a refusal because its record was purged since drops it unparked.
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN requeued INTEGER NOT NULL DEFAULT 0")
        }
        return migrator
    }
}

/// Small named values: identity, cursor, counters.
enum Meta: String {
    case installationID, deviceID, replicaID, token, worker, scope, limits, cursor, lastSyncAt, lastError, bytesSent, bytesReceived
    /// Seconds the server's clock was ahead of this handset's at the last pull.
    case serverClockOffset
    /// Why the last photo upload stopped, cleared by the next photo that goes through.
    case lastPhotoError
    /// Set while a rebase's fresh pull runs (``FieldClient/rebase(_:)``).
    case rebasing
    /// Set when an erasure removed rows: the write-ahead log still holds their old bytes
    /// until the next sync truncates it (``Erasure``).
    case scrubOwed
    /// The kind of the last failed sync (a ``FieldClientError/Code``, `other` for anything
    /// else), reported to the server with the next push; cleared by a sync that goes through.
    case lastErrorKind

    func get(_ db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [rawValue])
    }

    func set(_ value: String?, _ db: Database) throws {
        if let value {
            try db.cachedStatement(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .execute(arguments: [rawValue, value])
        } else {
            try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [rawValue])
        }
    }

    func add(_ amount: Int, _ db: Database) throws {
        try set(String((Int(try get(db) ?? "0") ?? 0) + amount), db)
    }
}
