import Foundation
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

/// A real server on a loopback port with a fresh SQLite file, and helpers to enrol handsets
/// and act as the command centre.
struct LiveServer: Sendable {
    let directory: URL
    let store: SQLiteStore
    var engine: SyncEngine { SyncEngine(store: store) }
    let adminToken: String

    static let gridA = GridPath("futian/shatou/community-03/grid-12")!
    static let gridB = GridPath("futian/shatou/community-03/grid-13")!
    static let elsewhere = GridPath("futian/xiangmihu/community-01/grid-01")!

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fieldclient-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("server.sqlite").path)
        adminToken = try await AdminBootstrap.ensureAdminToken(store: store, writingTo: directory.appendingPathComponent("admin.token").path)!
        try await engine.replaceHierarchy(GridHierarchy(
            grids: [GridNode(path: GridPath("futian/shatou")!), GridNode(path: GridPath("futian/xiangmihu")!)], assignments: []))
    }

    /// A server restored from a backup made by `gridsync-server backup` of `original`: the
    /// backup file and its photos copied into a fresh folder, as README "Backup and restore"
    /// says. The ops tokens are the backup's, so the original's admin token still works.
    init(restoring backup: String, of original: LiveServer) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fieldclient-restored-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("server.sqlite").path
        try FileManager.default.copyItem(atPath: backup, toPath: path)
        if FileManager.default.fileExists(atPath: backup + ".blobs") {
            try FileManager.default.copyItem(atPath: backup + ".blobs", toPath: path + ".blobs")
        }
        store = try SQLiteStore(path: path)
        adminToken = original.adminToken
    }

    /// The database file.
    var databasePath: String { directory.appendingPathComponent("server.sqlite").path }

    /// Runs `body` with the server listening; `Session` knows its URL.
    func run(limits: SyncLimits = SyncLimits(), admission: AdmissionPolicy = AdmissionPolicy(),
             logger: Logger = Logger(label: "gridsync-server"), _ body: @Sendable (Session) async throws -> Void) async throws {
        let app = buildApplication(configuration: ServerConfiguration(port: 0, limits: limits, idleTimeout: .seconds(600), admission: admission),
                                   store: store, logger: logger)
        try await app.test(.live) { client in
            try await body(Session(server: self, client: client, baseURL: URL(string: "http://127.0.0.1:\(client.port!)")!))
        }
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

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
        let client: any TestClientProtocol
        let baseURL: URL

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
            try await admin(.post, "/v1/admin/devices", DeviceEnrollmentRequest(worker: worker, grids: grids)).decode(DeviceEnrollment.self).enrollmentCode
        }

        struct Reply { let status: Int; let body: Data
            func decode<T: Decodable>(_ type: T.Type) throws -> T { try WireCoding.decode(type, from: body) }
        }

        func admin<T: Encodable>(_ method: HTTPRequest.Method, _ uri: String, _ body: T) async throws -> Reply {
            try await admin(method, uri, data: try WireCoding.encode(body))
        }

        /// An admin request as the command centre sends it, through the one admin client.
        func admin(_ method: HTTPRequest.Method, _ uri: String, data: Data? = nil) async throws -> Reply {
            let parts = try #require(URLComponents(string: uri))
            let query = Dictionary(uniqueKeysWithValues: (parts.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            let answer = try await AdminClient(baseURL: baseURL, token: server.adminToken)
                .answer(method.rawValue, String(parts.path.drop { $0 == "/" }), query: query, body: data)
            return Reply(status: answer.status, body: answer.body)
        }

        /// A raw request with a handset's token, for what the client library never sends.
        func device(_ handset: FieldClient, _ method: HTTPRequest.Method, _ uri: String, body: Data? = nil, digest: Data? = nil,
                    contentType: String = "application/octet-stream") async throws -> Reply {
            let token = try #require(try await handset.identity).token
            var headers = ["Authorization": "Bearer \(token)", "Content-Type": contentType, "GridSync-Protocol": "1"]
            if let digest { headers["Content-Digest"] = "sha-256=:\(digest.base64EncodedString()):" }
            // Through URLSession, not the test client: upload answers close their connection,
            // and the test client's one connection would be gone for the next request.
            let response = try await URLSessionTransport(baseURL: baseURL).send(
                TransportRequest(method: method.rawValue, path: uri, headers: headers, body: body))
            return Reply(status: response.status, body: response.body)
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
