import Foundation
import GridSyncPostgres
import GridSyncServer
import GridSyncSQLite

/// The stores a test can run on. SQLite always; PostgreSQL when `GRIDSYNC_TEST_POSTGRES`
/// names a server (`postgres://user@host:port/db`), where each store gets a fresh database.
/// `.ci/run` starts a throwaway cluster and sets it.
public enum StoreKind: String, CaseIterable, Sendable {
    case sqlite, postgres

    /// The server PostgreSQL tests use, if any.
    public static let postgresURL: String? = ProcessInfo.processInfo.environment["GRIDSYNC_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    /// Every store this machine can run; the store conformance suite runs on each.
    public static let available: [StoreKind] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

    /// Where the HTTP-level server tests run: SQLite, or PostgreSQL with `GRIDSYNC_TEST_STORE=postgres`.
    public static let forServerTests: StoreKind =
        ProcessInfo.processInfo.environment["GRIDSYNC_TEST_STORE"] == "postgres" && postgresURL != nil ? .postgres : .sqlite

    public static let skipReason = "PostgreSQL suites skipped: set GRIDSYNC_TEST_POSTGRES=postgres://user@host:port/db (bash .ci/run does)"
}

/// A store opened for one test, and how to throw it away.
public struct TestStore: Sendable {
    public let kind: StoreKind
    public let store: any SyncStore
    /// The PostgreSQL database's URL, for a second instance or raw SQL.
    public let url: String?
    private let directory: URL

    public var engine: SyncEngine { SyncEngine(store: store) }

    public static func open(_ kind: StoreKind, directory: URL? = nil) async throws -> TestStore {
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        switch kind {
        case .sqlite:
            return TestStore(kind: kind, store: try SQLiteStore(path: directory.appendingPathComponent("server.sqlite").path), url: nil,
                             directory: directory)
        case .postgres:
            guard let server = StoreKind.postgresURL else { throw FixtureError(StoreKind.skipReason) }
            let url = try await PostgresDatabases.create(on: server, prefix: "gridsync_test")
            return TestStore(kind: kind, store: try await PostgresStore(url: url, connections: 8), url: url, directory: directory)
        }
    }

    /// Another server instance on the same database (PostgreSQL only).
    public func secondInstance() async throws -> PostgresStore {
        guard let url else { throw FixtureError("a second instance needs PostgreSQL") }
        return try await PostgresStore(url: url, connections: 8)
    }

    public func close() async {
        if let postgres = store as? PostgresStore {
            await postgres.shutdown()
            if let url { try? await PostgresDatabases.drop(url) }
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A fixture that cannot be set up as asked: a test error, with why.
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
