import Foundation
import GRDB
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol
import GridSyncServer
import GridSyncSQLite
import Hummingbird
import HummingbirdTesting
import Logging

/// The one server fixture every test suite starts from: a fresh store (a SQLite file in a
/// temporary folder, or a PostgreSQL database), the admin token the server writes on first
/// start, and two streets as DOMAIN.md describes them. `run` serves it in-process (`.router`)
/// or on a loopback port (`.live`), and hands the test a ``ServerConnection`` whose admin calls
/// go through the same `AdminClient` as the CLI's.
public struct ServerFixture: Sendable {
    public let directory: URL
    public let opened: TestStore
    public var store: any SyncStore { opened.store }
    public var engine: SyncEngine { SyncEngine(store: store) }
    public let adminToken: String
    /// How `run` configures the server unless told otherwise.
    public let configuration: ServerConfiguration

    public static let street = GridPath("futian/shatou")!
    public static let gridA = GridPath("futian/shatou/community-03/grid-12")!
    public static let gridB = GridPath("futian/shatou/community-03/grid-13")!
    public static let otherStreet = GridPath("futian/xiangmihu/community-01/grid-01")!

    /// 沙头街道 and 香蜜湖街道, nobody assigned.
    public static let twoStreets = GridHierarchy(
        grids: [GridNode(path: GridPath("futian/shatou")!, name: "沙头街道"), GridNode(path: GridPath("futian/xiangmihu")!, name: "香蜜湖街道")],
        assignments: [])

    /// - Parameters:
    ///   - store: where it keeps its data; the HTTP-level server suites follow `GRIDSYNC_TEST_STORE`,
    ///     suites that read SQLite's own file ask for `.sqlite`.
    ///   - idleTimeout: long by default: a test client keeps one connection, and a loaded CI
    ///     machine can pause a test for longer than the production default between requests.
    ///   - prepare: runs on the database file before the server opens it, to lay down what an
    ///     older server left there (SQLite only).
    public init(store kind: StoreKind = .forServerTests, hierarchy: GridHierarchy = twoStreets, limits: SyncLimits = SyncLimits(),
                idleTimeout: Duration = .seconds(600), bodyTimeout: Duration = .seconds(120),
                prepare: ((String) throws -> Void)? = nil) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try prepare?(directory.appendingPathComponent("server.sqlite").path)
        opened = try await TestStore.open(prepare == nil ? kind : .sqlite, directory: directory)
        adminToken = try await AdminBootstrap.ensureAdminToken(store: opened.store, writingTo: directory.appendingPathComponent("admin.token").path)!
        configuration = ServerConfiguration(port: 0, limits: limits, idleTimeout: idleTimeout, bodyTimeout: bodyTimeout)
        try await opened.engine.replaceHierarchy(hierarchy)
    }

    /// A server restored from a backup made by `gridsync-server backup` of `original`: the
    /// backup file and its photos copied into a fresh folder, as README "Backup and restore"
    /// says. The ops tokens are the backup's, so the original's admin token still works.
    public init(restoring backup: String, of original: ServerFixture) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-restored-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("server.sqlite").path
        try FileManager.default.copyItem(atPath: backup, toPath: path)
        if FileManager.default.fileExists(atPath: backup + ".blobs") {
            try FileManager.default.copyItem(atPath: backup + ".blobs", toPath: path + ".blobs")
        }
        opened = try await TestStore.open(.sqlite, directory: directory)
        adminToken = original.adminToken
        configuration = original.configuration
    }

    /// The server's database file (SQLite).
    public var databasePath: String { directory.appendingPathComponent("server.sqlite").path }

    /// The SQLite store, for what only the embedded store has (its file, its blob folder).
    public var sqlite: SQLiteStore {
        get throws {
            guard let store = store as? SQLiteStore else { throw FixtureError("this test reads SQLite's file: open the fixture with store: .sqlite") }
            return store
        }
    }

    /// Opens the server's database file directly, to check what is really on disk.
    public func database() throws -> DatabaseQueue {
        _ = try sqlite
        return try DatabaseQueue(path: databasePath)
    }

    public func application(configuration: ServerConfiguration? = nil, logger: Logger = Logger(label: "gridsync-server"),
                            now: @escaping @Sendable () -> Date = Date.init) throws -> some ApplicationProtocol {
        try buildApplication(configuration: configuration ?? self.configuration, store: store, logger: logger, now: now)
    }

    /// Runs `body` against the server in-process (`.router`) or on a loopback port (`.live`).
    public func run<Value: Sendable>(_ setup: TestingSetup = .router, configuration: ServerConfiguration? = nil,
                                     logger: Logger = Logger(label: "gridsync-server"), now: @escaping @Sendable () -> Date = Date.init,
                                     _ body: @Sendable (ServerConnection) async throws -> Value) async throws -> Value {
        let adminToken = self.adminToken
        let app = try application(configuration: configuration, logger: logger, now: now)
        return try await app.test(setup) { client in
            try await body(ServerConnection(client: client, adminToken: adminToken))
        }
    }

    /// Throws the store away. Tests clean up from `defer`, which cannot wait: a PostgreSQL
    /// database is dropped in the background, a SQLite folder at once.
    public func cleanUp() {
        let opened = self.opened
        if opened.kind == .postgres {
            Task { await opened.close() }
        } else {
            try? FileManager.default.removeItem(at: directory)
        }
    }
}
