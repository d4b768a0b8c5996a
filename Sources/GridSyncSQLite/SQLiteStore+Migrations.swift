import Foundation
import GRDB
import GridSyncCore
import GridSyncServer

extension SQLiteStore {
    /// Versioned schema. Add a migration; never edit one that has shipped.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE record (
                    kind TEXT NOT NULL, id TEXT NOT NULL, state BLOB NOT NULL, seq INTEGER NOT NULL,
                    in_conflict INTEGER NOT NULL, deleted INTEGER NOT NULL, conflict_since REAL,
                    PRIMARY KEY (kind, id)) WITHOUT ROWID;
                CREATE INDEX record_seq ON record(seq);
                CREATE INDEX record_conflict ON record(in_conflict) WHERE in_conflict = 1;
                CREATE TABLE record_grid (
                    grid TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, current INTEGER NOT NULL DEFAULT 1,
                    PRIMARY KEY (grid, kind, id)) WITHOUT ROWID;
                CREATE INDEX record_grid_record ON record_grid(kind, id);
                CREATE TABLE change_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, change_id TEXT NOT NULL, kind TEXT NOT NULL,
                    id TEXT NOT NULL, replica TEXT, clock TEXT, device_id TEXT, outcome TEXT NOT NULL,
                    received_at REAL NOT NULL);
                CREATE INDEX change_log_record ON change_log(kind, id);
                CREATE INDEX change_log_time ON change_log(received_at);
                CREATE TABLE applied_change (
                    change_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, result BLOB NOT NULL) WITHOUT ROWID;
                CREATE TABLE device (
                    id TEXT PRIMARY KEY, worker TEXT NOT NULL, replica_id TEXT NOT NULL UNIQUE,
                    status TEXT NOT NULL, enrollment_code_hash TEXT UNIQUE, token_hash TEXT UNIQUE,
                    created_at REAL NOT NULL, enrolled_at REAL, revoked_at REAL, last_sync_at REAL,
                    pending_changes INTEGER, app_version TEXT, protocol_version INTEGER);
                CREATE TABLE ops_token (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE, created_at REAL NOT NULL, revoked_at REAL);
                CREATE TABLE grid (path TEXT PRIMARY KEY, name TEXT);
                CREATE TABLE assignment (worker TEXT NOT NULL, grid TEXT NOT NULL, PRIMARY KEY (worker, grid));
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, actor TEXT NOT NULL,
                    action TEXT NOT NULL, target TEXT, outcome TEXT NOT NULL, detail TEXT);
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        migrator.registerMigration("v2-installation-id") { db in
            // Lets a handset whose enrolment answer was lost enrol again with the same code.
            try db.execute(sql: "ALTER TABLE device ADD COLUMN installation_id TEXT")
        }
        migrator.registerMigration("v3-before-delete") { db in
            // What a deleted record held, kept while it is deleted so a contested delete can
            // be overruled without losing the record.
            try db.execute(sql: "ALTER TABLE record ADD COLUMN before_delete BLOB")
        }
        migrator.registerMigration("v4-worker-replicas") { db in
            // A change may write under any replica id its worker's devices held: looked up by worker.
            try db.execute(sql: "CREATE INDEX device_worker ON device(worker)")
            // Fields that were in conflict when the record was deleted, with every sibling, so
            // that overruling the delete asks ops to choose rather than dropping them.
            try db.execute(sql: "ALTER TABLE record ADD COLUMN before_delete_contested BLOB")
            // What each refused change had superseded, by the dots it wrote: a later change that
            // supersedes a refused dot replaces what the refused change replaced.
            try db.execute(sql: """
                CREATE TABLE rejected_dot (
                    kind TEXT NOT NULL, id TEXT NOT NULL, dot TEXT NOT NULL, supersedes TEXT NOT NULL,
                    PRIMARY KEY (kind, id, dot)) WITHOUT ROWID
                """)
        }
        migrator.registerMigration("v5-quarantine") { db in
            // A record ops set aside: not served by pull until released. Records stored before
            // values were bounded, and that break the bounds now, start out quarantined, so one
            // of them can never stop a grid's pulls.
            try db.execute(sql: """
                ALTER TABLE record ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE record ADD COLUMN quarantine_reason TEXT;
                ALTER TABLE record ADD COLUMN quarantined_at REAL;
                """)
            let rows = try Row.fetchCursor(db, sql: "SELECT kind, id, state FROM record")
            var unbounded: [(String, String)] = []
            while let row = try rows.next() {
                let state: Data = row["state"]
                if !SQLiteStore.isWithinBounds(state) { unbounded.append((row["kind"], row["id"])) }
            }
            for (kind, id) in unbounded {
                try db.execute(sql: """
                    UPDATE record SET quarantined = 1, quarantine_reason = 'stored before values were bounded', quarantined_at = ?
                    WHERE kind = ? AND id = ?
                    """, arguments: [Date().timeIntervalSince1970, kind, id])
            }
        }
        migrator.registerMigration("v6-registration-key") { db in
            // The Idempotency-Key of the registration that created a device: a retried
            // registration finds its device instead of making another.
            try db.execute(sql: "ALTER TABLE device ADD COLUMN registration_key TEXT")
            try db.execute(sql: "CREATE UNIQUE INDEX device_registration_key ON device(registration_key)")
        }
        migrator.registerMigration("v7-case-timing") { db in
            // A work order's timing: when the server received each move, and its deadlines.
            try db.execute(sql: "ALTER TABLE record ADD COLUMN timing BLOB")
        }
        migrator.registerMigration("v8-photo-index") { db in
            // Which records name which photo blobs: who may download one, and what is garbage.
            try db.execute(sql: """
                CREATE TABLE record_photo (digest TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
                    PRIMARY KEY (digest, kind, id)) WITHOUT ROWID
                """)
            // Records stored before the index may already name photos: index them now.
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO record_photo (digest, kind, id) VALUES (?, ?, ?)")
            let rows = try Row.fetchCursor(db, sql: """
                SELECT kind, id, state, before_delete, before_delete_contested FROM record
                WHERE instr(state, '"sha256"') > 0 OR instr(before_delete, '"sha256"') > 0 OR instr(before_delete_contested, '"sha256"') > 0
                """)
            while let row = try rows.next() {
                guard let kind = RecordKind(rawValue: row["kind"]) else { continue }
                let state = try? decode(RecordState.self, row["state"] as Data)
                let agreed = (row["before_delete"] as Data?).flatMap { try? decode([FieldPath: FieldValue].self, $0) }
                let contested = (row["before_delete_contested"] as Data?).flatMap { try? decode(RecordState.self, $0) }
                let snapshot = DeleteSnapshot(agreed: agreed ?? [:], contested: contested?.entries ?? [:])
                for digest in PhotoDigests.named(by: state ?? RecordState(), snapshot: snapshot, kind: kind) {
                    try insert.execute(arguments: [digest.hex, kind.rawValue, row["id"] as String])
                }
            }
        }
        migrator.registerMigration("v9-store-epoch") { db in
            // Small named values of the store itself: its epoch (``StoreEpoch``), and the replica
            // id its resolutions take once it was restored (absent: `server`).
            try db.execute(sql: "CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            try db.execute(sql: "INSERT INTO store_meta (key, value) VALUES ('epoch', ?)", arguments: [StoreEpoch.mint()])
        }
        migrator.registerMigration("v10-retention") { db in
            // How far each terminal has pulled, whether it is due a rebase, and a marker for each
            // purged tombstone (``Retention``).
            try db.execute(sql: """
                ALTER TABLE device ADD COLUMN pulled_seq INTEGER;
                ALTER TABLE device ADD COLUMN rebase_due_at REAL;
                CREATE TABLE purged_record (kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, purged_at REAL NOT NULL,
                    PRIMARY KEY (kind, id)) WITHOUT ROWID;
                CREATE INDEX record_deleted ON record(seq) WHERE deleted = 1;
                """)
        }
        migrator.registerMigration("v11-erasure") { db in
            // Households erased on request (PIPL), and each terminal that must confirm by
            // pulling past the erasure (``ErasureLedger``).
            try db.execute(sql: """
                CREATE TABLE erasure (kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, erased_at REAL NOT NULL,
                    actor TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;
                CREATE TABLE erasure_terminal (kind TEXT NOT NULL, id TEXT NOT NULL, device_id TEXT NOT NULL, seq INTEGER NOT NULL,
                    confirmed_at REAL, PRIMARY KEY (kind, id, device_id)) WITHOUT ROWID;
                CREATE INDEX erasure_terminal_pending ON erasure_terminal(device_id, seq) WHERE confirmed_at IS NULL;
                """)
        }
        migrator.registerMigration("v12-diagnostics") { db in
            // Each terminal's health, for `devices failing`: its last push and complete pull,
            // what it last said of itself, and its refused requests of the last day.
            try db.execute(sql: """
                ALTER TABLE device ADD COLUMN last_push_at REAL;
                ALTER TABLE device ADD COLUMN last_pull_at REAL;
                ALTER TABLE device ADD COLUMN report TEXT;
                CREATE TABLE device_refusal (device_id TEXT NOT NULL, at REAL NOT NULL, server INTEGER NOT NULL);
                CREATE INDEX device_refusal_at ON device_refusal(at);
                """)
        }
        return migrator
    }

    /// Whether stored state bytes read as a record state whose values keep today's bounds.
    static func isWithinBounds(_ state: Data) -> Bool {
        guard state.count <= FieldValueBounds.maximumRecordBytes, let value = try? JSONParser.parse(state),
              case .object(let object)? = Optional(value), case .object(let entries)? = object["entries"] else { return false }
        for case .object(let byDot) in entries.values {
            for value in byDot.values where (try? FieldValueBounds.check(value, at: "")) == nil { return false }
        }
        return true
    }
}
