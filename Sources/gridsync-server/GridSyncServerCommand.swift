import ArgumentParser
import Foundation
import GridSyncProtocol
import GridSyncPostgres
import GridSyncServer
import GridSyncSQLite
import Hummingbird
import Logging

/// `gridsync-server`: the sync server (`serve`, the default), and the store's own care:
/// `backup` and `mark-restored`.
@main
struct GridSyncServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridsync-server",
        abstract: "Run the GridSync sync server on an embedded SQLite database, or on PostgreSQL; back it up.",
        subcommands: [ServeCommand.self, BackupCommand.self, MarkRestoredCommand.self],
        defaultSubcommand: ServeCommand.self)
}

/// Serving: on embedded SQLite by default or on PostgreSQL, which several instances can share.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the sync server (the default: `gridsync-server --database …` is `gridsync-server serve --database …`).",
        discussion: """
            Every flag can also be set from the environment, as GRIDSYNC_<FLAG> (for example
            GRIDSYNC_PORT=9000). The database is created and migrated on first start.

            Example, first start with a bootstrap admin token written to a file:
              gridsync-server --database district.sqlite --admin-token-file admin.token

            City scale, two instances sharing one PostgreSQL database (put a load balancer in
            front of both; either may be restarted while the other serves):
              gridsync-server --postgres postgres://gridsync@db:5432/gridsync --port 8081 --admin-token-file admin.token
              gridsync-server --postgres postgres://gridsync@db:5432/gridsync --port 8082
            """)

    @Option(help: "Address to listen on. (env: GRIDSYNC_HOST)")
    var host: String = env("HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one. (env: GRIDSYNC_PORT)")
    var port: Int = env("PORT").flatMap(Int.init) ?? 8080

    @Option(help: "SQLite database file. (env: GRIDSYNC_DATABASE)")
    var database: String = env("DATABASE") ?? "gridsync.sqlite"

    @Option(help: "PostgreSQL URL, postgres://user[:password]@host[:port]/database; replaces --database. (env: GRIDSYNC_POSTGRES)")
    var postgres: String?

    @Option(help: "Most PostgreSQL connections this instance opens. (env: GRIDSYNC_POSTGRES_CONNECTIONS)")
    var postgresConnections: Int = env("POSTGRES_CONNECTIONS").flatMap(Int.init) ?? 24

    @Option(help: "If the server has no ops token yet, create an admin token and write it here. (env: GRIDSYNC_ADMIN_TOKEN_FILE)")
    var adminTokenFile: String?

    @Option(help: "Most changes accepted in one push. (env: GRIDSYNC_MAX_CHANGES_PER_PUSH)")
    var maxChangesPerPush: Int = env("MAX_CHANGES_PER_PUSH").flatMap(Int.init) ?? 500

    @Option(help: "Largest request body in bytes. (env: GRIDSYNC_MAX_BODY_BYTES)")
    var maxBodyBytes: Int = env("MAX_BODY_BYTES").flatMap(Int.init) ?? 4 << 20

    @Option(help: "Most records in one pull page. (env: GRIDSYNC_MAX_PULL_PAGE)")
    var maxPullPage: Int = env("MAX_PULL_PAGE").flatMap(Int.init) ?? 500

    @Option(help: "Largest photo in bytes; a larger one is refused before it is sent. (env: GRIDSYNC_MAX_BLOB_BYTES)")
    var maxBlobBytes: Int = env("MAX_BLOB_BYTES").flatMap(Int.init) ?? SyncLimits().maxBlobBytes

    @Option(help: "Bytes per photo upload chunk: what one cut connection can cost. (env: GRIDSYNC_BLOB_CHUNK_BYTES)")
    var blobChunkBytes: Int = env("BLOB_CHUNK_BYTES").flatMap(Int.init) ?? SyncLimits().blobChunkBytes

    @Option(help: "Days a photo no record names, or an idle upload, is kept before it is collected. (env: GRIDSYNC_PHOTO_GRACE_DAYS)")
    var photoGraceDays: Double = env("PHOTO_GRACE_DAYS").flatMap(Double.init) ?? 7

    @Option(help: "Days a deleted record's tombstone is kept at least, before it may be purged once every terminal has it. (env: GRIDSYNC_TOMBSTONE_DAYS)")
    var tombstoneDays: Double = env("TOMBSTONE_DAYS").flatMap(Double.init) ?? 30

    @Option(help: "Days of silence after which a terminal no longer holds purging back, and rebases at its next pull. (env: GRIDSYNC_SILENT_TERMINAL_DAYS)")
    var silentTerminalDays: Double = env("SILENT_TERMINAL_DAYS").flatMap(Double.init) ?? 30

    @Option(help: "Seconds a connection may go without a byte from its client before it is closed. (env: GRIDSYNC_IDLE_TIMEOUT)")
    var idleTimeout: Double = env("IDLE_TIMEOUT").flatMap(Double.init) ?? 30

    @Option(help: "Seconds a push body may take to arrive before it is answered 408. (env: GRIDSYNC_BODY_TIMEOUT)")
    var bodyTimeout: Double = env("BODY_TIMEOUT").flatMap(Double.init) ?? 120

    @Option(help: "Open connections at most; default: the file-descriptor limit less 256. (env: GRIDSYNC_MAX_CONNECTIONS)")
    var maxConnections: Int = env("MAX_CONNECTIONS").flatMap(Int.init) ?? ServerConfiguration.defaultMaxConnections

    @Option(help: "Pushes decoded, checked or committing at once. (env: GRIDSYNC_MAX_CONCURRENT_PUSHES)")
    var maxConcurrentPushes: Int = env("MAX_CONCURRENT_PUSHES").flatMap(Int.init) ?? AdmissionPolicy().pushSlots

    @Option(help: "Pull pages read at once. (env: GRIDSYNC_MAX_CONCURRENT_PULLS)")
    var maxConcurrentPulls: Int = env("MAX_CONCURRENT_PULLS").flatMap(Int.init) ?? AdmissionPolicy().pullSlots

    @Option(help: "Photo chunks checked and written at once. (env: GRIDSYNC_MAX_CONCURRENT_BLOB_CHUNKS)")
    var maxConcurrentBlobChunks: Int = env("MAX_CONCURRENT_BLOB_CHUNKS").flatMap(Int.init) ?? AdmissionPolicy().blobSlots

    @Option(help: "Pushes and pulls a second at which photo uploads wait for the storm to pass. (env: GRIDSYNC_PHOTOS_YIELD_AT)")
    var photosYieldAt: Double = env("PHOTOS_YIELD_AT").flatMap(Double.init) ?? AdmissionPolicy().photosYieldAt

    @Option(help: "Seconds a push or pull may queue for its turn; beyond that it is answered 503 with Retry-After. (env: GRIDSYNC_QUEUE_TARGET)")
    var queueTarget: Double = env("QUEUE_TARGET").flatMap(Double.init) ?? 2

    @Option(help: "Log level: trace, debug, info, notice, warning, error. (env: GRIDSYNC_LOG_LEVEL)")
    var logLevel: String = env("LOG_LEVEL") ?? "info"

    @Option(help: "Work-order deadlines per urgency and step (YAML); default: red on site in 1h, answered in 24h. (env: GRIDSYNC_DEADLINES)")
    var deadlines: String?

    @Option(help: "Print the bound port to this file once listening, for scripts that start on port 0.")
    var portFile: String?

    func run() async throws {
        let adminTokenFile = self.adminTokenFile ?? env("ADMIN_TOKEN_FILE")
        let postgres = self.postgres ?? env("POSTGRES")
        var logger = Logger(label: "gridsync-server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var configuration = ServerConfiguration(
            host: host, port: port, databasePath: database,
            limits: SyncLimits(maxChangesPerPush: maxChangesPerPush, maxBodyBytes: maxBodyBytes, maxPullPage: maxPullPage,
                               maxBlobBytes: maxBlobBytes, blobChunkBytes: blobChunkBytes),
            adminTokenFile: adminTokenFile, idleTimeout: .milliseconds(Int64(idleTimeout * 1_000)),
            bodyTimeout: .milliseconds(Int64(bodyTimeout * 1_000)), maxConnections: maxConnections,
            admission: AdmissionPolicy(pushSlots: maxConcurrentPushes, pullSlots: maxConcurrentPulls, blobSlots: maxConcurrentBlobChunks, photosYieldAt: photosYieldAt,
                                       queueTarget: .milliseconds(Int64(queueTarget * 1_000))),
            photoGracePeriod: .milliseconds(Int64(photoGraceDays * 86_400_000)),
            retention: RetentionPolicy(minimumAge: .milliseconds(Int64(tombstoneDays * 86_400_000)),
                                       silentLimit: .milliseconds(Int64(silentTerminalDays * 86_400_000))))
        if let path = deadlines ?? env("DEADLINES") {
            do {
                configuration.deadlines = try DeadlinePolicyFile.load(path)
            } catch {
                throw ValidationError("--deadlines \(path): \(error)")
            }
        }
        guard tombstoneDays >= 0, silentTerminalDays > 0 else {
            throw ValidationError("--tombstone-days may not be negative; --silent-terminal-days must be positive")
        }
        guard maxBlobBytes >= 0, (1...(64 << 20)).contains(blobChunkBytes), photoGraceDays >= 0 else {
            throw ValidationError("--max-blob-bytes and --photo-grace-days may not be negative; --blob-chunk-bytes is 1 byte to 64 MiB")
        }
        guard idleTimeout > 0, bodyTimeout > 0, maxConnections > 0, maxConcurrentPushes > 0, maxConcurrentPulls > 0, maxConcurrentBlobChunks > 0, queueTarget > 0 else {
            throw ValidationError("--idle-timeout, --body-timeout, --max-connections, --max-concurrent-pushes, --max-concurrent-pulls, --max-concurrent-blob-chunks and --queue-target must be positive")
        }
        let store: any SyncStore
        if let postgres {
            guard postgresConnections > 0 else { throw ValidationError("--postgres-connections must be positive") }
            store = try await PostgresStore(url: postgres, connections: postgresConnections, logger: logger)
        } else {
            store = try SQLiteStore(path: database)
        }
        let portFile = self.portFile
        let app = try buildApplication(configuration: configuration, store: store, logger: logger, onServerRunning: { channel in
            guard let portFile, let port = channel.localAddress?.port else { return }
            _ = FileManager.default.createFile(atPath: portFile, contents: Data("\(port)\n".utf8))
        })
        // Only once the server can start: a start refused (no photo store) leaves no token behind.
        if let adminTokenFile, try await AdminBootstrap.ensureAdminToken(store: store, writingTo: adminTokenFile) != nil {
            logger.notice("created the first admin token", metadata: ["file": .string(adminTokenFile)])
        }
        try await app.runService()
    }
}

func env(_ name: String) -> String? {
    ProcessInfo.processInfo.environment["GRIDSYNC_" + name]
}
