import Foundation
import GridSyncProtocol
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One admin request, built by ``AdminClient`` and nowhere else: the method, the path under the
/// server's root, and every header the protocol asks for.
public struct AdminRequest: Sendable {
    public let method: String
    /// The path without a leading slash, such as `v1/admin/devices`.
    public let path: String
    public let query: [URLQueryItem]
    public let headers: [String: String]
    public let body: Data?

    /// The path and query as they go on the request line: `/v1/admin/orders?street=…`.
    public var target: String {
        var components = URLComponents()
        components.path = "/" + path
        if !query.isEmpty { components.queryItems = query }
        return components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }
}

/// What carries an admin request to a server and brings its answer back, whatever the status.
/// The seam lets the tests drive an in-process server with the same client the CLI uses over
/// the network: the request is built once, only the carrying differs.
public protocol AdminTransport: Sendable {
    /// Where the requests go, for messages ("cannot reach …"); `nil` for an in-process server.
    var endpoint: URL? { get }
    /// Throws when no answer came (no server, connection cut); any answer, 4xx and 5xx included,
    /// is returned.
    func carry(_ request: AdminRequest) async throws -> AdminAnswer
}

/// The network transport: URLSession to a server's base URL.
public struct URLSessionAdminTransport: AdminTransport {
    public let baseURL: URL
    public let session: URLSession
    public let timeout: TimeInterval

    public init(baseURL: URL, session: URLSession = .shared, timeout: TimeInterval = 30) {
        self.baseURL = baseURL
        self.session = session
        self.timeout = timeout
    }

    public var endpoint: URL? { baseURL }

    public func carry(_ request: AdminRequest) async throws -> AdminAnswer {
        var components = URLComponents(url: baseURL.appendingPathComponent(request.path), resolvingAgainstBaseURL: false)!
        if !request.query.isEmpty { components.queryItems = request.query }
        var urlRequest = URLRequest(url: components.url!)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        urlRequest.timeoutInterval = timeout
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: urlRequest)
        return AdminAnswer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }
}

/// A server's answer to one admin request, whatever its status.
public struct AdminAnswer: Sendable {
    public let status: Int
    public let body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T { try WireCoding.decode(type, from: body) }

    /// The answer read as a failure, through the one mapping; `nil` for a 2xx.
    public var error: AdminError? { (200..<300).contains(status) ? nil : AdminError(status: status, body: body) }
}
