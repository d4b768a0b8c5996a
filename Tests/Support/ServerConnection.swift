import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// A test's line to a running ``ServerFixture``: the command centre through ``admin`` (the
/// CLI's own `AdminClient`), and a terminal through raw device requests, for what a handset
/// library would never send.
public struct ServerConnection: Sendable {
    public let client: any TestClientProtocol
    public let adminToken: String

    public init(client: any TestClientProtocol, adminToken: String) {
        self.client = client
        self.adminToken = adminToken
    }

    /// The loopback URL, when the server listens on a port (`.live`).
    public var baseURL: URL? { client.port.map { URL(string: "http://127.0.0.1:\($0)")! } }

    /// The command centre, with the admin token.
    public var admin: AdminClient { admin(token: adminToken) }

    /// The admin API as the holder of `token` would call it: another role, a revoked token, or
    /// a device's token the admin API must refuse.
    public func admin(token: String) -> AdminClient {
        AdminClient(transport: TestClientAdminTransport(client: client, endpoint: baseURL), token: token)
    }

    public struct Reply: Sendable {
        public let status: Int
        public let body: Data
        public let headers: HTTPFields

        public init(status: Int, body: Data, headers: HTTPFields) {
            self.status = status
            self.body = body
            self.headers = headers
        }

        public func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try WireCoding.decode(type, from: body)
        }

        public var error: ErrorBody? { try? decode(ErrorEnvelope.self).error }
    }

    /// A device-side request (push, pull, enrol, photos), headers as the protocol asks unless
    /// a test says otherwise (`version: nil` leaves the protocol header out).
    public func send(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, body: Data? = nil,
                     headers extra: HTTPFields = [:], version: String? = String(WireProtocol.version)) async throws -> Reply {
        var headers = extra
        if let version { headers[HTTPField.Name(WireProtocol.versionHeader)!] = version }
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil && headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }) { response in
            Reply(status: Int(response.status.code), body: Data(buffer: response.body), headers: response.headers)
        }
    }

    public func send<T: Encodable>(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: T) async throws -> Reply {
        try await send(method, uri, token: token, body: try WireCoding.encode(json))
    }

    /// Enrols a device for `worker` covering `grids`, as a handset does with the code the
    /// command centre registered, and returns its credentials.
    public func enrollDevice(worker: String, grids: [GridPath], appVersion: String = "test") async throws -> EnrollResponse {
        let code = try await admin.enrollmentCode(worker: worker, grids: grids)
        return try await enroll(code: code, appVersion: appVersion)
    }

    public func enroll(code: String, appVersion: String = "test") async throws -> EnrollResponse {
        try await send(.post, "/v1/enroll", json: EnrollRequest(enrollmentCode: code, appVersion: appVersion)).decode(EnrollResponse.self)
    }

    public func push(_ changes: [Change], as device: EnrollResponse) async throws -> Reply {
        try await send(.post, "/v1/push", token: device.token, json: PushRequest(changes: changes))
    }

    public func pull(as device: EnrollResponse, cursor: String? = nil, limit: Int? = nil) async throws -> PullResponse {
        var query: [String] = []
        if let cursor { query.append("cursor=\(cursor)") }
        if let limit { query.append("limit=\(limit)") }
        let reply = try await send(.get, "/v1/pull" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), token: device.token)
        guard reply.status == 200 else { throw PullFailed(status: reply.status, error: reply.error) }
        return try reply.decode(PullResponse.self)
    }

    /// Pulls every page and returns the records by key, newest version last.
    public func pullAll(as device: EnrollResponse, from cursor: String? = nil) async throws
        -> (records: [RecordKey: RecordEnvelope], cursor: String, scope: [ScopeReport]) {
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

    public struct PullFailed: Error { public let status: Int; public let error: ErrorBody? }
}
