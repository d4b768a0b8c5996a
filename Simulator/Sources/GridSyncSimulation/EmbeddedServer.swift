import Foundation
import GridSyncAdmin
import GridSyncCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GridSyncProtocol
import GridSyncServer
import GridSyncSQLite
import Hummingbird
import Logging
import ServiceLifecycle

/// The server instances a simulated day runs against, started by the simulator.
protocol ServerCluster: Actor {
    var servers: [URL] { get }
    var adminToken: String { get }
    /// Takes one instance down the hard way the cluster allows and brings it back on the same
    /// address, while any others keep serving.
    func restart(instance: Int) async throws
    func stop() async
    /// Restarts so far.
    var restarts: Int { get }
    /// How many change ids the servers applied more than once, from their store's own log.
    func changesAppliedTwice() async throws -> Int
    /// The digest of every blob entry the servers' store holds (one per stored photo).
    func blobDigests() async throws -> [BlobDigest]
    /// The housekeeping run of a month later: tombstones old enough at once, and terminals
    /// silent longer than `silentLimit` due a rebase.
    func purgeTombstones(silentLimit: Duration) async throws -> PurgeReport
    /// Everything the servers logged, when the simulator captured it; servers run as processes
    /// log to files under the day's folder instead.
    var capturedLog: String? { get }
}

/// A real `gridsync-server` inside the simulator's process: a temporary SQLite file and a
/// fixed loopback port, so terminals keep their URL when the server is restarted mid-storm.
actor EmbeddedServer: ServerCluster {
    let directory: URL
    let deadlines: DeadlinePolicy
    let admission: AdmissionPolicy
    let port: Int
    let adminToken: String
    private(set) var store: SQLiteStore
    private var running: Task<Void, any Error>?
    private var group: ServiceGroup?
    private(set) var restarts = 0

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var servers: [URL] { [baseURL] }
    var databasePath: String { directory.appendingPathComponent("server.sqlite").path }

    /// Every line the server logged, at trace level, when asked for (a day with an erasure).
    let log: LogCapture?

    init(directory: URL, deadlines: DeadlinePolicy = .standard, admission: AdmissionPolicy = AdmissionPolicy(), capturingLog: Bool = false) async throws {
        self.directory = directory
        log = capturingLog ? LogCapture() : nil
        self.deadlines = deadlines
        self.admission = admission
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try await FreePort.pick()
        store = try SQLiteStore(path: directory.appendingPathComponent("server.sqlite").path)
        adminToken = try await AdminBootstrap.ensureAdminToken(store: store, writingTo: directory.appendingPathComponent("admin.token").path)
            ?? String(contentsOf: directory.appendingPathComponent("admin.token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try await start()
    }

    private func start() async throws {
        var logger = log.map { log in Logger(label: "gridsync-sim.server", factory: { _ in log.handler() }) } ?? Logger(label: "gridsync-sim.server")
        logger.logLevel = log == nil ? .critical : .trace
        let app = try buildApplication(configuration: ServerConfiguration(port: port, deadlines: deadlines, admission: admission), store: store, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        self.group = group
        running = Task { try await group.run() }
        try await waitUntilHealthy()
    }

    /// Stops the server (in-flight requests finish), reopens its database as a fresh process
    /// would, and starts again on the same port.
    ///
    /// The stop is a graceful shutdown, never a cancelled task: cancelling the serving task
    /// while a just-accepted connection waits to be served traps in swift-nio
    /// ("Deinited NIOAsyncWriter without calling finish()", apple/swift-nio#3481), which is the
    /// SIGILL a restart mid-storm once hit.
    func restart(instance: Int) async throws {
        await stop()
        store = try SQLiteStore(path: databasePath)
        restarts += 1
        try await start()
    }

    func changesAppliedTwice() async throws -> Int {
        try await SyncEngine(store: SQLiteStore(path: databasePath)).changesAppliedTwice()
    }

    func blobDigests() async throws -> [BlobDigest] {
        try await store.defaultBlobStore().inventory().blobs.map(\.digest)
    }

    func purgeTombstones(silentLimit: Duration) async throws -> PurgeReport {
        try await SyncEngine(store: store).purgeTombstones(now: Date(), policy: RetentionPolicy(minimumAge: .zero, silentLimit: silentLimit))
    }

    var capturedLog: String? { log?.text }

    func stop() async {
        await group?.triggerGracefulShutdown()
        _ = await running?.result
        group = nil
    }

    private func waitUntilHealthy() async throws {
        try await AdminClient.waitUntilHealthy(baseURL)
    }
}

struct SimulationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) {
        self.description = description
    }
}
