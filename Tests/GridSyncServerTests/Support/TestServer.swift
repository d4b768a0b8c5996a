import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import GridSyncSQLite
import Hummingbird
import HummingbirdTesting
import NIOCore
import HTTPTypes

/// A server on a fresh store (a SQLite file in a temporary folder, or a PostgreSQL database
/// with `GRIDSYNC_TEST_STORE=postgres`), with an admin token and a small hierarchy: two
/// streets, each with grids, as DOMAIN.md describes them.
struct TestServer {
    let directory: URL
    let opened: TestStore
    var store: any SyncStore { opened.store }
    var engine: SyncEngine { opened.engine }
    let adminToken: String
    let limits: SyncLimits
    let idleTimeout: Duration
    let bodyTimeout: Duration

    static let street = GridPath("futian/shatou")!
    static let gridA = GridPath("futian/shatou/community-03/grid-12")!
    static let gridB = GridPath("futian/shatou/community-03/grid-13")!
    static let otherStreet = GridPath("futian/xiangmihu/community-01/grid-01")!

    /// - Parameters:
    ///   - idleTimeout: long by default: a test client keeps one connection, and a loaded CI
    ///     machine can pause a test for longer than the production default between requests.
    ///   - store: where it keeps its data; tests that look at SQLite's own file ask for `.sqlite`.
    ///   - prepare: runs on the database file before the server opens it, to lay down what an
    ///     older server left there (SQLite only).
    init(store kind: StoreKind = .forServerTests, limits: SyncLimits = SyncLimits(), idleTimeout: Duration = .seconds(600),
         bodyTimeout: Duration = .seconds(120), prepare: ((String) throws -> Void)? = nil) async throws {
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try prepare?(directory.appendingPathComponent("server.sqlite").path)
        let opened = try await TestStore.open(prepare == nil ? kind : .sqlite, directory: directory)
        self.opened = opened
        adminToken = try await AdminBootstrap.ensureAdminToken(store: opened.store, writingTo: directory.appendingPathComponent("admin.token").path)!
        self.limits = limits
        try await opened.engine.replaceHierarchy(GridHierarchy(
            grids: [GridNode(path: GridPath("futian/shatou")!, name: "沙头街道"), GridNode(path: GridPath("futian/xiangmihu")!, name: "香蜜湖街道")],
            assignments: []))
    }

    func application() -> some ApplicationProtocol {
        buildApplication(configuration: ServerConfiguration(port: 0, limits: limits, idleTimeout: idleTimeout, bodyTimeout: bodyTimeout), store: store)
    }

    /// Runs `body` against the app in-process (`.router`) or over a real socket (`.live`).
    func run<Value: Sendable>(_ setup: TestingSetup = .router, _ body: @Sendable (Client) async throws -> Value) async throws -> Value {
        let adminToken = self.adminToken
        return try await application().test(setup) { client in
            try await body(Client(client: client, adminToken: adminToken))
        }
    }

    func cleanUp() {
        let opened = self.opened
        // Tests clean up from `defer`, which cannot wait; a PostgreSQL database is dropped
        // in the background, a SQLite folder at once.
        if opened.kind == .postgres {
            Task { await opened.close() }
        } else {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Opens the server's database file directly, to check what is really on disk (SQLite
    /// servers only: the test asked for `store: .sqlite`).
    func database() throws -> DatabaseQueue {
        precondition(opened.kind == .sqlite, "database() reads SQLite's file: open the server with store: .sqlite")
        return try DatabaseQueue(path: directory.appendingPathComponent("server.sqlite").path)
    }
}

/// A thin wrapper over the test client that speaks the protocol's headers and JSON.
struct Client: Sendable {
    let client: any TestClientProtocol
    let adminToken: String

    struct Reply: Sendable {
        let status: Int
        let body: Data
        let headers: HTTPFields

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try WireCoding.decode(type, from: body)
        }

        var error: ErrorBody? { try? decode(ErrorEnvelope.self).error }
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, body: Data? = nil,
              headers extra: HTTPFields = [:], version: String? = String(WireProtocol.version)) async throws -> Reply {
        var headers = extra
        if let version { headers[HTTPField.Name("GridSync-Protocol")!] = version }
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }) { response in
            Reply(status: Int(response.status.code), body: Data(buffer: response.body), headers: response.headers)
        }
    }

    func send<T: Encodable>(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: T) async throws -> Reply {
        try await send(method, uri, token: token, body: try WireCoding.encode(json))
    }

    /// Enrols a device for `worker` covering `grids`, and returns its credentials.
    func enrollDevice(worker: String, grids: [GridPath]) async throws -> EnrollResponse {
        let enrollment = try await send(.post, "/v1/admin/devices", token: adminToken, json: DeviceEnrollmentRequest(worker: worker, grids: grids))
            .decode(DeviceEnrollment.self)
        return try await send(.post, "/v1/enroll", json: EnrollRequest(enrollmentCode: enrollment.enrollmentCode, appVersion: "test"))
            .decode(EnrollResponse.self)
    }

    func push(_ changes: [Change], as device: EnrollResponse) async throws -> Reply {
        try await send(.post, "/v1/push", token: device.token, json: PushRequest(changes: changes))
    }

    func pull(as device: EnrollResponse, cursor: String? = nil, limit: Int? = nil) async throws -> PullResponse {
        var query: [String] = []
        if let cursor { query.append("cursor=\(cursor)") }
        if let limit { query.append("limit=\(limit)") }
        let reply = try await send(.get, "/v1/pull" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), token: device.token)
        guard reply.status == 200 else { throw PullFailed(status: reply.status, error: reply.error) }
        return try reply.decode(PullResponse.self)
    }

    /// Pulls every page and returns the records by key, newest version last.
    func pullAll(as device: EnrollResponse, from cursor: String? = nil) async throws -> (records: [RecordKey: RecordEnvelope], cursor: String, scope: [ScopeReport]) {
        var records: [RecordKey: RecordEnvelope] = [:]
        var cursor = cursor
        var reports: [ScopeReport] = []
        repeat {
            let page = try await pull(as: device, cursor: cursor, limit: 2)
            for record in page.records { records[record.key] = record }
            reports.append(page.scope)
            cursor = page.cursor
            if !page.hasMore { break }
        } while true
        return (records, cursor!, reports)
    }

    struct PullFailed: Error { let status: Int; let error: ErrorBody? }
}
