import Foundation
import GridSyncPostgres
@testable import GridSyncServer
import GridSyncSQLite
import Testing

/// The stores a test can run on. SQLite always; PostgreSQL when `GRIDSYNC_TEST_POSTGRES`
/// names a server (`postgres://user@host:port/db`), where each store gets a fresh database.
/// `.ci/run` starts a throwaway cluster and sets it.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// The server PostgreSQL tests use, if any.
    static let postgresURL: String? = ProcessInfo.processInfo.environment["GRIDSYNC_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    /// Every store this machine can run; the store conformance suite runs on each.
    static let available: [StoreKind] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

    /// Where the HTTP-level server tests run: SQLite, or PostgreSQL with `GRIDSYNC_TEST_STORE=postgres`.
    static let forServerTests: StoreKind =
        ProcessInfo.processInfo.environment["GRIDSYNC_TEST_STORE"] == "postgres" && postgresURL != nil ? .postgres : .sqlite

    static let skipReason: Comment = "PostgreSQL suites skipped: set GRIDSYNC_TEST_POSTGRES=postgres://user@host:port/db (bash .ci/run does)"
}

/// A store opened for one test, and how to throw it away.
struct TestStore: Sendable {
    let kind: StoreKind
    let store: any SyncStore
    /// The PostgreSQL database's URL, for a second instance or raw SQL.
    let url: String?
    private let directory: URL

    var engine: SyncEngine { SyncEngine(store: store) }

    static func open(_ kind: StoreKind, directory: URL? = nil) async throws -> TestStore {
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        switch kind {
        case .sqlite:
            return TestStore(kind: kind, store: try SQLiteStore(path: directory.appendingPathComponent("server.sqlite").path), url: nil,
                             directory: directory)
        case .postgres:
            let server = try #require(StoreKind.postgresURL, StoreKind.skipReason)
            let url = try await PostgresDatabases.create(on: server, prefix: "gridsync_test")
            return TestStore(kind: kind, store: try await PostgresStore(url: url, connections: 8), url: url, directory: directory)
        }
    }

    /// Another server instance on the same database (PostgreSQL only).
    func secondInstance() async throws -> PostgresStore {
        try await PostgresStore(url: try #require(url), connections: 8)
    }

    func close() async {
        if let postgres = store as? PostgresStore {
            await postgres.shutdown()
            if let url { try? await PostgresDatabases.drop(url) }
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
