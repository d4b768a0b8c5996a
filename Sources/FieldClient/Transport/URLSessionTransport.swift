import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The default transport: Foundation's `URLSession` (libcurl on Linux).
public struct URLSessionTransport: SyncTransport {
    public let baseURL: URL
    private let session: URLSession
    private let compression = RequestCompression()

    public init(baseURL: URL, timeout: TimeInterval = 60) {
        self.init(baseURL: baseURL, session: URLSessionTransport.makeSession(timeout: timeout, connections: 2))
    }

    /// Shares `session` with other transports, as the simulator does for its many terminals.
    public init(baseURL: URL, session: URLSession) {
        self.baseURL = baseURL
        self.session = session
    }

    public static func makeSession(timeout: TimeInterval = 60, connections: Int) -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = connections
        return URLSession(configuration: configuration)
    }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        let prepared = compression.prepare(request)
        let response = try await exchange(prepared)
        return compression.learn(from: response, sent: prepared) ? try await exchange(request) : response
    }

    private func exchange(_ request: TransportRequest) async throws -> TransportResponse {
        guard let url = URL(string: request.path, relativeTo: baseURL) else { throw TransportFailure("bad path \(request.path)") }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch {
            throw TransportFailure("network: \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { throw TransportFailure("not an HTTP response") }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return TransportResponse(status: http.statusCode, headers: headers, body: data)
    }
}
