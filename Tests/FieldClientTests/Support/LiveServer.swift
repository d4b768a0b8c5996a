import Foundation
import GridSyncTestSupport
@testable import FieldClient
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
@testable import GridSyncSQLite
import Hummingbird
import Logging
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Testing

/// The shared server fixture on a loopback port with a fresh SQLite file, and helpers to
/// enrol handsets and act as the command centre.
struct LiveServer: Sendable {
    let fixture: ServerFixture
    /// The embedded store, whose file and photo folder the tests look into.
    let store: SQLiteStore
    var engine: SyncEngine { fixture.engine }
    var adminToken: String { fixture.adminToken }
    var directory: URL { fixture.directory }

    static let gridA = ServerFixture.gridA
    static let gridB = ServerFixture.gridB
    static let elsewhere = ServerFixture.otherStreet

    init() async throws {
        fixture = try await ServerFixture(store: .sqlite)
        store = try fixture.sqlite
    }

    /// A server restored from a backup made by `gridsync-server backup` of `original`.
    init(restoring backup: String, of original: LiveServer) async throws {
        fixture = try await ServerFixture(restoring: backup, of: original.fixture)
        store = try fixture.sqlite
    }

    /// The database file.
    var databasePath: String { fixture.databasePath }

    /// Runs `body` with the server listening; `Session` knows its URL.
    func run(limits: SyncLimits = SyncLimits(), admission: AdmissionPolicy = AdmissionPolicy(),
             logger: Logger = Logger(label: "gridsync-server"), _ body: @Sendable (Session) async throws -> Void) async throws {
        let configuration = ServerConfiguration(port: 0, limits: limits, idleTimeout: .seconds(600), admission: admission)
        try await fixture.run(.live, configuration: configuration, logger: logger) { connection in
            try await body(Session(server: self, connection: connection, baseURL: connection.baseURL!))
        }
    }

    func cleanUp() { fixture.cleanUp() }

    /// The blob store the server uses (files beside its database).
    func blobs() throws -> any BlobStore { try store.defaultBlobStore() }

    /// The bytes the server holds for a photo, if it holds them whole.
    func storedBlob(_ photo: PhotoReference) async throws -> Data? {
        let digest = try #require(photo.sha256.flatMap(BlobDigest.init))
        guard let blob = try await blobs().blob(digest) else { return nil }
        return try await blobs().read(digest, range: 0..<blob.size)
    }

    /// The server's photo rules over its store, for garbage collection at a chosen time.
    func library(limits: SyncLimits) throws -> PhotoLibrary {
        PhotoLibrary(blobs: try blobs(), engine: engine, limits: limits, metrics: ServerMetrics(), gracePeriod: .seconds(7 * 86_400))
    }

    struct Session: Sendable {
        let server: LiveServer
        let connection: ServerConnection
        let baseURL: URL

        /// The command centre, through the CLI's admin client.
        var admin: AdminClient { connection.admin }

        /// A handset with its own replica file, enrolled for `worker` covering `grids`.
        func handset(_ name: String, worker: String, grids: [GridPath], transport: (any SyncTransport)? = nil,
                     retry: RetryPolicy = RetryPolicy(maxAttempts: 3), now: @escaping @Sendable () -> Date = Date.init) async throws -> FieldClient {
            let field = try openHandset(name, transport: transport, retry: retry, now: now)
            try await field.enroll(code: try await enrollmentCode(worker: worker, grids: grids))
            return field
        }

        /// Opens (or re-opens, as after a crash) the handset file `name`, kept in `folder`
        /// (default: this server's).
        func openHandset(_ name: String, transport: (any SyncTransport)? = nil, retry: RetryPolicy = RetryPolicy(maxAttempts: 3),
                         now: @escaping @Sendable () -> Date = Date.init, in folder: URL? = nil) throws -> FieldClient {
            try FieldClient(
                path: (folder ?? server.directory).appendingPathComponent("\(name).sqlite").path,
                transport: transport ?? URLSessionTransport(baseURL: baseURL),
                configuration: .init(appVersion: "test", retry: retry, sleep: { _ in }, now: now, seed: 7))
        }

        func enrollmentCode(worker: String, grids: [GridPath]) async throws -> String {
            try await admin.enrollmentCode(worker: worker, grids: grids)
        }

        typealias Reply = ServerConnection.Reply

        /// A raw request with a handset's token, for what the client library never sends.
        func device(_ handset: FieldClient, _ method: HTTPRequest.Method, _ uri: String, body: Data? = nil, digest: Data? = nil,
                    contentType: String = "application/octet-stream") async throws -> Reply {
            let token = try #require(try await handset.identity).token
            var headers = ["Authorization": "Bearer \(token)", "Content-Type": contentType, WireProtocol.versionHeader: String(WireProtocol.version)]
            if let digest { headers["Content-Digest"] = "sha-256=:\(digest.base64EncodedString()):" }
            // Through URLSession, not the test client: upload answers close their connection,
            // and the test client's one connection would be gone for the next request.
            let response = try await URLSessionTransport(baseURL: baseURL).send(
                TransportRequest(method: method.rawValue, path: uri, headers: headers, body: body))
            return Reply(status: response.status, body: response.body, headers: [:])
        }

        func device<T: Encodable>(_ handset: FieldClient, _ method: HTTPRequest.Method, _ uri: String, json: T) async throws -> Reply {
            try await device(handset, method, uri, body: try WireCoding.encode(json), contentType: "application/json")
        }

        /// The server's current state of a record.
        func serverState(_ key: RecordKey) async throws -> RecordState? {
            try await server.engine.record(key)?.state
        }
    }
}

enum Sample {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    static func household(_ id: String, grid: GridPath = LiveServer.gridA) -> Household {
        Household(id: RecordID(id)!, grid: grid, address: Address(building: "12栋", unit: "2单元", room: "301"), type: .resident,
                  members: [Member(id: RecordID("m1")!, name: "王秀英", relation: .head, phone: "13800138000")])
    }

    static func patrol(_ id: String, grid: GridPath = LiveServer.gridA, start: Date = start) -> Patrol {
        Patrol(id: RecordID(id)!, grid: grid, worker: "zhang.wei", startedAt: start,
               trackPoints: [TrackPoint(id: RecordID("p0")!, position: Coordinate(latitude: 22.52, longitude: 114.05), recordedAt: start)])
    }
}
