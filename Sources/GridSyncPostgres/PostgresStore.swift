import Foundation
import Synchronization
import GridSyncCore
import GridSyncServer
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The city-scale store: one PostgreSQL database shared by several identical server
/// instances behind a load balancer.
///
/// The engine's transaction bodies are synchronous (SQLite's must be); here each runs on a
/// thread of a small pool of its own, leasing one connection for the transaction, and each
/// query inside blocks that thread, never Swift's cooperative threads. A push costs a handful
/// of queries whatever its size, since the engine loads and saves in bulk.
///
/// Several instances stay correct because:
/// - records are locked (transaction-scoped advisory locks, in one sorted order) before
///   anything a decision rests on is read;
/// - change-log positions come from one counter row taken at the end of each write, so they
///   grow in commit order (the cursor invariant, see `SyncStore`);
/// - nothing is cached between requests: a revoked token fails on the next request on every
///   instance;
/// - each instance writes resolutions under a replica id minted for it by the database.
public final class PostgresStore: SyncStore {
    let client: PostgresClient
    let logger: Logger
    private let threads: NIOThreadPool
    private let running: Task<Void, Never>
    private let replica: ReplicaID
    /// Read at start: a store is restored (and its epoch renewed) only while no server runs.
    private let knownEpoch: Mutex<String>
    let positions: PositionScheme

    /// Connects, migrates (one instance at a time, under an advisory lock) and mints this
    /// instance's replica id.
    /// - Parameter url: `postgres://user[:password]@host[:port]/database`.
    public convenience init(url: String, connections: Int = 24, logger: Logger = Logger(label: "gridsync.postgres")) async throws {
        try await self.init(url: url, connections: connections, logger: logger, positions: .commitOrdered)
    }

    init(url: String, connections: Int, logger: Logger, positions: PositionScheme) async throws {
        self.positions = positions
        var configuration = try PostgresURL.configuration(url)
        configuration.options.maximumConnections = connections
        configuration.options.minimumConnections = 0
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        // The client must be running before the first lease; start it and wait until it is.
        var started: Task<Void, Never>?
        await withCheckedContinuation { (ready: CheckedContinuation<Void, Never>) in
            started = Task {
                ready.resume()
                await client.run()
            }
        }
        running = started!
        await Task.yield()
        threads = NIOThreadPool(numberOfThreads: connections)
        threads.start()
        do {
            try await PostgresMigrations.migrate(client, logger: logger)
            let minted = try await client.query("""
                SELECT nextval('server_instance'), (SELECT value FROM store_meta WHERE key = 'replica'),
                       (SELECT value FROM store_meta WHERE key = 'epoch')
                """, logger: logger).collect()
            let (number, prefix, epoch) = try minted[0].decode((Int64, String?, String?).self)
            replica = ReplicaID("\(prefix ?? "server")-\(number)")!
            knownEpoch = Mutex(epoch ?? "")
        } catch {
            running.cancel()
            try? await threads.shutdownGracefully()
            throw PostgresStore.translated(error)
        }
    }

    /// Closes every connection. The store cannot be used afterwards.
    public func shutdown() async {
        running.cancel()
        try? await threads.shutdownGracefully()
    }

    public func serverReplica() async throws -> ReplicaID { replica }

    public func epoch() async throws -> String { knownEpoch.withLock { $0 } }

    /// Instances started afterwards mint replica ids under `server-<epoch>`: the restored
    /// `server_instance` sequence would otherwise hand out ids already used after the backup.
    public func renewEpoch() async throws -> String {
        let epoch = StoreEpoch.mint(), prefix = StoreEpoch.serverReplica(after: epoch).rawValue
        do {
            try await client.query("""
                INSERT INTO store_meta (key, value) VALUES ('epoch', \(epoch)), ('replica', \(prefix))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, logger: logger)
        } catch {
            throw PostgresStore.translated(error)
        }
        knownEpoch.withLock { $0 = epoch }
        return epoch
    }

    /// Vacuums the record table: the erased household's old row versions are dead tuples
    /// until a vacuum removes them, and autovacuum may take hours to come by. (PostgreSQL's
    /// own write-ahead log segments keep them until recycled: Protocol/README.md, "Erasure".)
    public func scrub() async throws -> Bool {
        do {
            try await client.query("VACUUM record", logger: logger)
            return true
        } catch {
            throw PostgresStore.translated(error)
        }
    }

    /// Photos in the database itself, so that every instance serves every one.
    public func defaultBlobStore() throws -> any BlobStore {
        PostgresBlobStore(client: client, logger: logger)
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        // A deadlock or serialisation failure rolls the whole transaction back; nothing of it
        // stayed, so it is simply run again.
        var attempt = 0
        while true {
            do {
                return try await transaction(readOnly: false, body)
            } catch let error as PSQLError where attempt < 5 && PostgresStore.isRetryable(error) {
                attempt += 1
                try await Task.sleep(for: .milliseconds(5 * attempt))
            } catch {
                throw PostgresStore.translated(error)
            }
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        do {
            return try await transaction(readOnly: true, body)
        } catch {
            throw PostgresStore.translated(error)
        }
    }

    private func transaction<T: Sendable>(readOnly: Bool, _ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        let logger = self.logger, threads = self.threads, positions = self.positions
        return try await client.withConnection { connection in
            // Reads see one snapshot, as on SQLite; writes run at READ COMMITTED, where each
            // statement after the record locks sees what every earlier transaction committed.
            try await connection.query(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN", logger: logger)
            do {
                let transaction = PostgresTransaction(connection: connection, logger: logger, positions: positions)
                let result = try await threads.runIfActive { try body(transaction) }
                try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    static func isRetryable(_ error: PSQLError) -> Bool {
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// Errors a retry can cure become `unavailable`; the text is the SQLSTATE or the client's
    /// error code, never a server message (which could quote data).
    static func translated(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError else { return error }
        if error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? "?"
            // Class 08 connection, 40 rollback, 53 resources, 57 operator intervention.
            if ["08", "40", "53", "57"].contains(String(state.prefix(2))) {
                return StoreError(.unavailable("PostgreSQL \(state)"))
            }
            return error
        }
        return StoreError(.unavailable("PostgreSQL client \(error.code)"))
    }
}
