import Foundation
import Logging
import PostgresNIO

/// Versioned schema. Add a migration; never edit one that has shipped.
///
/// Instances starting together take a session advisory lock first, so exactly one migrates
/// and the others wait and find the work done.
enum PostgresMigrations {
    /// The advisory lock key: "gridsync" in ASCII, read as a number.
    static let lockKey: Int64 = 0x6772_6964_7379_6e63

    static let migrations: [(name: String, sql: [String])] = [
        ("v1", [
            // Change-log positions: one counter row, taken at the end of each write, so that
            // positions grow in commit order (see PostgresStore).
            "CREATE TABLE position_counter (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
            "INSERT INTO position_counter (name, value) VALUES ('change_log', 0)",
            // Each server instance mints its replica id for resolutions from this sequence.
            "CREATE SEQUENCE server_instance",
            """
            CREATE TABLE record (
                kind TEXT NOT NULL, id TEXT NOT NULL, state BYTEA NOT NULL, seq BIGINT NOT NULL,
                in_conflict BOOLEAN NOT NULL, deleted BOOLEAN NOT NULL, conflict_since DOUBLE PRECISION,
                before_delete BYTEA, before_delete_contested BYTEA,
                quarantined BOOLEAN NOT NULL DEFAULT FALSE, quarantine_reason TEXT, quarantined_at DOUBLE PRECISION,
                PRIMARY KEY (kind, id))
            """,
            "CREATE INDEX record_seq ON record (seq)",
            "CREATE INDEX record_conflict ON record (in_conflict) WHERE in_conflict",
            // Grid paths compare bytewise ("C"), so that a subtree is an index range.
            """
            CREATE TABLE record_grid (
                grid TEXT COLLATE "C" NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, current BOOLEAN NOT NULL DEFAULT TRUE,
                PRIMARY KEY (grid, kind, id))
            """,
            "CREATE INDEX record_grid_record ON record_grid (kind, id)",
            """
            CREATE TABLE change_log (
                seq BIGINT PRIMARY KEY, change_id TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
                replica TEXT, clock TEXT, device_id TEXT, outcome TEXT NOT NULL, received_at DOUBLE PRECISION NOT NULL)
            """,
            "CREATE INDEX change_log_record ON change_log (kind, id)",
            "CREATE INDEX change_log_time ON change_log (received_at)",
            "CREATE TABLE applied_change (change_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, result BYTEA NOT NULL)",
            """
            CREATE TABLE rejected_dot (
                kind TEXT NOT NULL, id TEXT NOT NULL, dot TEXT NOT NULL, supersedes TEXT NOT NULL, PRIMARY KEY (kind, id, dot))
            """,
            """
            CREATE TABLE device (
                id TEXT PRIMARY KEY, worker TEXT NOT NULL, replica_id TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
                enrollment_code_hash TEXT UNIQUE, token_hash TEXT UNIQUE, created_at DOUBLE PRECISION NOT NULL,
                enrolled_at DOUBLE PRECISION, revoked_at DOUBLE PRECISION, last_sync_at DOUBLE PRECISION,
                pending_changes BIGINT, app_version TEXT, protocol_version BIGINT, installation_id TEXT,
                registration_key TEXT UNIQUE)
            """,
            "CREATE INDEX device_worker ON device (worker)",
            """
            CREATE TABLE ops_token (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
                created_at DOUBLE PRECISION NOT NULL, revoked_at DOUBLE PRECISION)
            """,
            #"CREATE TABLE grid (path TEXT COLLATE "C" PRIMARY KEY, name TEXT)"#,
            #"CREATE TABLE assignment (worker TEXT NOT NULL, grid TEXT COLLATE "C" NOT NULL, PRIMARY KEY (worker, grid))"#,
            """
            CREATE TABLE audit (
                seq BIGSERIAL PRIMARY KEY, at DOUBLE PRECISION NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                target TEXT, outcome TEXT NOT NULL, detail TEXT)
            """,
            """
            CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
            """,
            "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
        ]),
        ("v2-case-timing", [
            // A work order's timing: when the server received each move, and its deadlines.
            "ALTER TABLE record ADD COLUMN timing BYTEA",
        ]),
        ("v3-photos", [
            // Which records name which photo blobs: who may download one, and what is garbage.
            #"CREATE TABLE record_photo (digest TEXT COLLATE "C" NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (digest, kind, id))"#,
            // Records stored before the index may already name photos. Only a photo reference
            // has a `sha256` member, so every match is one (PhotoDigests in Swift says the same).
            #"""
            INSERT INTO record_photo (digest, kind, id)
            SELECT DISTINCT m[1], r.kind, r.id
            FROM record r, regexp_matches(convert_from(r.state, 'UTF8') || coalesce(convert_from(r.before_delete, 'UTF8'), '')
                                          || coalesce(convert_from(r.before_delete_contested, 'UTF8'), ''),
                                          '"sha256":"([0-9a-f]{64})"', 'g') AS m
            WHERE r.kind IN ('patrol', 'workOrder')
            ON CONFLICT DO NOTHING
            """#,
            // The blobs themselves, in chunks: every instance sees every photo.
            "CREATE TABLE blob (digest TEXT PRIMARY KEY, size BIGINT NOT NULL, chunk_size INTEGER NOT NULL, stored_at DOUBLE PRECISION NOT NULL)",
            "CREATE TABLE blob_upload (digest TEXT PRIMARY KEY, size BIGINT NOT NULL, chunk_size INTEGER NOT NULL, last_activity DOUBLE PRECISION NOT NULL)",
            "CREATE TABLE blob_chunk (digest TEXT NOT NULL, chunk INTEGER NOT NULL, bytes BYTEA NOT NULL, PRIMARY KEY (digest, chunk))",
        ]),
        ("v4-store-epoch", [
            // Small named values of the store itself: its epoch (StoreEpoch), and the prefix of
            // the replica ids its instances mint once it was restored (absent: `server`).
            "CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO store_meta (key, value) VALUES ('epoch', substr(md5(random()::text || clock_timestamp()::text), 1, 16))",
        ]),
        ("v5-retention", [
            // How far each terminal has pulled, whether it is due a rebase, and a marker for each
            // purged tombstone (Retention).
            "ALTER TABLE device ADD COLUMN pulled_seq BIGINT",
            "ALTER TABLE device ADD COLUMN rebase_due_at DOUBLE PRECISION",
            "CREATE TABLE purged_record (kind TEXT NOT NULL, id TEXT NOT NULL, seq BIGINT NOT NULL, purged_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (kind, id))",
            "CREATE INDEX record_deleted ON record (seq) WHERE deleted",
        ]),
        ("v6-erasure", [
            // Households erased on request (PIPL), and each terminal that must confirm by
            // pulling past the erasure (ErasureLedger).
            """
            CREATE TABLE erasure (kind TEXT NOT NULL, id TEXT NOT NULL, seq BIGINT NOT NULL, erased_at DOUBLE PRECISION NOT NULL,
                actor TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (kind, id))
            """,
            """
            CREATE TABLE erasure_terminal (kind TEXT NOT NULL, id TEXT NOT NULL, device_id TEXT NOT NULL, seq BIGINT NOT NULL,
                confirmed_at DOUBLE PRECISION, PRIMARY KEY (kind, id, device_id))
            """,
            "CREATE INDEX erasure_terminal_pending ON erasure_terminal (device_id, seq) WHERE confirmed_at IS NULL",
        ]),
        ("v7-diagnostics", [
            // Each terminal's health, for `devices failing`: its last push and complete pull,
            // what it last said of itself, and its refused requests of the last day.
            "ALTER TABLE device ADD COLUMN last_push_at DOUBLE PRECISION",
            "ALTER TABLE device ADD COLUMN last_pull_at DOUBLE PRECISION",
            "ALTER TABLE device ADD COLUMN report TEXT",
            "CREATE TABLE device_refusal (device_id TEXT NOT NULL, at DOUBLE PRECISION NOT NULL, server BOOLEAN NOT NULL)",
            "CREATE INDEX device_refusal_at ON device_refusal (at)",
        ]),
    ]

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
            do {
                try await connection.query("CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", logger: logger)
                let applied = Set(try await connection.query("SELECT name FROM schema_migration", logger: logger).collect()
                    .map { try $0.decode(String.self) })
                for migration in migrations where !applied.contains(migration.name) {
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        for statement in migration.sql {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await connection.query("INSERT INTO schema_migration (name) VALUES (\(migration.name))", logger: logger)
                        try await connection.query("COMMIT", logger: logger)
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
        }
    }
}
