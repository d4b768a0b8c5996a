import Foundation
import GridSyncAdmin
import GridSyncCore
#if canImport(Glibc)
import Glibc
#endif
import GridSyncPostgres
import GridSyncServer

/// Several `gridsync-server` processes sharing one PostgreSQL database, as a city runs them
/// behind a load balancer. Real processes, so an instance can be killed with SIGKILL mid-storm
/// (nothing flushed, no goodbye to its connections) while the others keep serving.
actor ServerProcesses: ServerCluster {
    let binary: URL
    let postgres: String
    let directory: URL
    /// A `--deadlines` file written for the day, when the scenario sets its own.
    let deadlinesFile: URL?
    let ports: [Int]
    private var processes: [Process?]
    private(set) var adminToken = ""
    private(set) var restarts = 0

    var servers: [URL] { ports.map { URL(string: "http://127.0.0.1:\($0)")! } }
    private var tokenFile: URL { directory.appendingPathComponent("admin.token") }

    /// Starts `instances` servers on the (empty) database at `postgres`; the first one
    /// migrates it and writes the bootstrap admin token.
    init(binary: URL, postgres: String, deadlines: [String: [String: String]]? = nil, instances: Int, directory: URL) async throws {
        self.binary = binary
        self.postgres = postgres
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let deadlines {
            let file = directory.appendingPathComponent("deadlines.yaml")
            let lines = deadlines.sorted { $0.key < $1.key }.map { colour, steps in
                "\(colour): {" + steps.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
            }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
            deadlinesFile = file
        } else {
            deadlinesFile = nil
        }
        var ports: [Int] = []
        for _ in 0..<max(1, instances) { ports.append(try await FreePort.pick()) }
        self.ports = ports
        processes = Array(repeating: nil, count: ports.count)
        for instance in ports.indices {
            try start(instance)
            try await AdminClient.waitUntilHealthy(servers[instance], attempts: 3_000)
        }
        adminToken = try String(contentsOf: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The `gridsync-server` built beside the running program (`swift build` puts every
    /// product of the package in one folder), unless `GRIDSYNC_SERVER_BINARY` says otherwise.
    static func siblingBinary() -> URL {
        if let path = ProcessInfo.processInfo.environment["GRIDSYNC_SERVER_BINARY"] { return URL(fileURLWithPath: path) }
        let program = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return program.deletingLastPathComponent().appendingPathComponent("gridsync-server")
    }

    private func start(_ instance: Int) throws {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--postgres", postgres, "--host", "127.0.0.1", "--port", "\(ports[instance])",
                             "--admin-token-file", tokenFile.path, "--log-level", "error", "--postgres-connections", "12"]
            + (deadlinesFile.map { ["--deadlines", $0.path] } ?? [])
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GRIDSYNC_") }
        let log = directory.appendingPathComponent("instance-\(instance).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes[instance] = process
    }

    /// SIGKILL, then the same instance again on the same port.
    func restart(instance: Int) async throws {
        guard let process = processes[instance] else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        restarts += 1
        try start(instance)
        try await AdminClient.waitUntilHealthy(servers[instance], attempts: 3_000)
    }

    func changesAppliedTwice() async throws -> Int {
        let store = try await PostgresStore(url: postgres, connections: 2)
        defer { Task { await store.shutdown() } }
        return try await SyncEngine(store: store).changesAppliedTwice()
    }

    func blobDigests() async throws -> [BlobDigest] {
        let store = try await PostgresStore(url: postgres, connections: 2)
        defer { Task { await store.shutdown() } }
        return try await store.defaultBlobStore().inventory().blobs.map(\.digest)
    }

    /// Run against the shared database, as one instance's housekeeping would.
    func purgeTombstones(silentLimit: Duration) async throws -> PurgeReport {
        let store = try await PostgresStore(url: postgres, connections: 2)
        defer { Task { await store.shutdown() } }
        return try await SyncEngine(store: store).purgeTombstones(now: Date(), policy: RetentionPolicy(minimumAge: .zero, silentLimit: silentLimit))
    }

    /// The instances log to files under the day's folder, which the erasure check reads.
    var capturedLog: String? { nil }

    func stop() async {
        for case let process? in processes where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        processes = processes.map { _ in nil }
    }
}
