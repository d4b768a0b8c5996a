import Foundation

/// How the sync engine reaches the server. `Sendable`, so tests and the simulator can swap in a
/// transport that drops, delays or truncates.
public protocol SyncTransport: Sendable {
    func send(_ request: TransportRequest) async throws -> TransportResponse
}

public struct TransportRequest: Sendable, Hashable {
    public var method: String
    /// Path and query, such as `/v1/pull?cursor=…`.
    public var path: String
    public var headers: [String: String]
    public var body: Data?

    public init(method: String, path: String, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

public struct TransportResponse: Sendable, Hashable {
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The network failed before any HTTP answer arrived: always worth retrying, since pushes are
/// idempotent.
public struct TransportFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
