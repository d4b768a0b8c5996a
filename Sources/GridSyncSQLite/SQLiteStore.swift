import Foundation
import Synchronization
import GRDB
import GridSyncCore
import GridSyncProtocol
import GridSyncServer

/// The embedded default store: one SQLite file in WAL mode, through GRDB.
///
/// `synchronous = FULL` makes every commit durable before the push that caused it is
/// answered; group commit is what keeps that affordable during a storm. One process owns the
/// file, and SQLite has one writer at a time, so write transactions are serialised whole and
/// change-log positions (the table's row ids) grow in commit order: the cursor invariant holds
/// by construction.
public final class SQLiteStore: SyncStore {
    let pool: DatabasePool
    let cache = RecordCache()
    /// Read once: every pull compares its cursor's epoch with it.
    private let knownEpoch = Mutex<String?>(nil)

    /// Opens (creating and migrating on first use) the database at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Deleted and overwritten bytes are zeroed, not left in free space: an erased
            // household (``ErasureLedger``) must leave nothing in the file. What the log still
            // holds, ``scrub()`` truncates.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        try SQLiteStore.migrator.migrate(pool)
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        let cache = self.cache
        do {
            return try await Self.translatingUnavailable {
                try await pool.write { db in try body(SQLiteTransaction(db: db, cache: cache)) }
            }
        } catch {
            // The cache may hold states that never committed.
            cache.removeAll()
            throw error
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        try await Self.translatingUnavailable {
            try await pool.read { db in try body(SQLiteTransaction(db: db, cache: nil)) }
        }
    }

    /// One process owns the file, so its resolutions have one replica id, across restarts:
    /// `server`, or the one its restore gave it (``StoreEpoch/serverReplica(after:)``).
    public func serverReplica() async throws -> ReplicaID {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'replica'").flatMap(ReplicaID.init)
        } ?? SyncEngine.singleInstanceReplica
    }

    public func epoch() async throws -> String {
        if let known = knownEpoch.withLock({ $0 }) { return known }
        let epoch = try await pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'epoch'") ?? "" }
        knownEpoch.withLock { $0 = epoch }
        return epoch
    }

    public func renewEpoch() async throws -> String {
        let epoch = StoreEpoch.mint()
        try await pool.write { db in try Self.setEpoch(epoch, db) }
        knownEpoch.withLock { $0 = epoch }
        return epoch
    }

    /// Folds the write-ahead log into the file and truncates it to nothing: the log keeps
    /// every page version written since the last checkpoint, erased values among them. With
    /// `secure_delete` on, the file itself then holds none. False when readers held the log.
    public func scrub() async throws -> Bool {
        do {
            try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            return true
        } catch let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) {
            return false
        }
    }

    static func setEpoch(_ epoch: String, _ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO store_meta (key, value) VALUES ('epoch', ?), ('replica', ?)",
                       arguments: [epoch, StoreEpoch.serverReplica(after: epoch).rawValue])
    }

    /// Photos go in a folder beside the database file, `<file>.blobs`; an in-memory database
    /// gets a fresh temporary folder.
    public func defaultBlobStore() throws -> any BlobStore {
        let path = pool.path
        if path.isEmpty || path == ":memory:" {
            return try FileBlobStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-blobs-" + UUID().uuidString))
        }
        return try FileBlobStore(root: URL(fileURLWithPath: path + ".blobs"))
    }

    /// Shared: building coders per row showed up in profiles of the push path.
    private static let encoder = JSONEncoder()

    static func encode<T: Encodable>(_ value: T) throws -> Data {
        try encoder.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        try FieldValueCoding.decodeJSON(type, from: data)
    }

    /// Runs `body`, turning SQLite's "cannot write now" errors (a full disk, an I/O error, a
    /// lock held too long) into ``StoreError/Code/unavailable(_:)``, which clients retry.
    static func translatingUnavailable<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError where [.SQLITE_FULL, .SQLITE_IOERR, .SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) {
            throw StoreError(.unavailable("SQLite \(error.extendedResultCode.rawValue)"))
        }
    }
}

extension GridPath {
    /// SQL that matches `column` against this path or anything below it, as an index range:
    /// `/` sorts just before `0`, so `path/` up to `path0` is exactly the subtree.
    static func subtreeCondition(_ column: String, roots: [GridPath]) -> (sql: String, arguments: StatementArguments) {
        guard !roots.isEmpty else { return ("0", []) }
        var clauses: [String] = []
        var arguments: StatementArguments = []
        for root in roots {
            clauses.append("(\(column) = ? OR (\(column) > ? AND \(column) < ?))")
            arguments += [root.description, root.description + "/", root.description + "0"]
        }
        return ("(" + clauses.joined(separator: " OR ") + ")", arguments)
    }
}
