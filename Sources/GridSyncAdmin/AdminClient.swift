import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GridSyncProtocol

/// The command centre's side of the admin API, over HTTP: the one place that builds an admin
/// request and turns an answer into a value or an ``AdminError``. The CLI, the simulator and the
/// tests all go through it, so a protocol header or an error's meaning is written once.
public struct AdminClient: Sendable {
    public let baseURL: URL
    public let token: String
    public let session: URLSession
    /// How many times a request that found no server, or a 5xx, is sent in all; refusals (4xx)
    /// are never sent again. 1: once, as a person at a terminal wants.
    public let attempts: Int
    public let timeout: TimeInterval

    public init(baseURL: URL, token: String, session: URLSession = .shared, attempts: Int = 1, timeout: TimeInterval = 30) {
        self.baseURL = baseURL
        self.token = token
        self.session = session
        self.attempts = max(1, attempts)
        self.timeout = timeout
    }

    public func get<T: Decodable>(_ type: T.Type, _ path: String, query: [String: String] = [:]) async throws -> T {
        try Self.decode(type, try await send("GET", path, query: query, body: nil))
    }

    public func send<T: Decodable, B: Encodable>(_ type: T.Type, _ method: String, _ path: String, body: B,
                                                 headers: [String: String] = [:]) async throws -> T {
        try Self.decode(type, try await send(method, path, body: try WireCoding.encode(body), headers: headers))
    }

    /// A registration that survives a lost answer: the same `Idempotency-Key` on every attempt
    /// (three at least), so retrying after a dropped connection never registers twice.
    public func sendIdempotent<T: Decodable, B: Encodable>(_ type: T.Type, _ method: String, _ path: String, body: B,
                                                           key: String = UUID().uuidString.lowercased()) async throws -> T {
        let retrying = AdminClient(baseURL: baseURL, token: token, session: session, attempts: max(attempts, 3), timeout: timeout)
        return try await retrying.send(type, method, path, body: body, headers: ["Idempotency-Key": key])
    }

    /// The raw answer's body, for the few calls that are not JSON (a photo's bytes) or whose
    /// answer is empty.
    public func send(_ method: String, _ path: String, query: [String: String] = [:], body: Data?,
                     headers: [String: String] = [:]) async throws -> Data {
        var failure = AdminError.unreachable(baseURL)
        for attempt in 1...attempts {
            if attempt > 1 { try await Task.sleep(for: .milliseconds(min(50 * attempt, 1_000))) }
            guard let answer = try? await answer(method, path, query: query, body: body, headers: headers) else {
                failure = .unreachable(baseURL)
                continue
            }
            if (200..<300).contains(answer.status) { return answer.body }
            failure = AdminError(status: answer.status, body: answer.body)
            if answer.status < 500 { throw failure }
        }
        throw failure
    }

    /// One request, sent once, and the server's answer whatever its status: for checks of the
    /// admin API's own refusals (tests), where a 4xx is the expected answer, not a failure.
    public func answer(_ method: String, _ path: String, query: [String: String] = [:], body: Data?,
                       headers: [String: String] = [:]) async throws -> AdminAnswer {
        var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        if !query.isEmpty { components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        var request = URLRequest(url: components.url!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = timeout
        request.setValue(String(WireProtocol.version), forHTTPHeaderField: WireProtocol.versionHeader)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        return AdminAnswer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try WireCoding.decode(type, from: data)
        } catch {
            throw AdminError(kind: .unreadable, status: nil, message: "the server's answer was not understood: is it a GridSync server of a matching version?")
        }
    }

    /// Waits until the server at `server` answers `/health` with 200.
    public static func waitUntilHealthy(_ server: URL, attempts: Int = 1_000) async throws {
        let url = server.appendingPathComponent("health")
        for _ in 0..<attempts {
            if let (_, response) = try? await URLSession.shared.data(from: url), (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw AdminError.unreachable(server)
    }
}

/// A server's answer to one admin request, whatever its status.
public struct AdminAnswer: Sendable {
    public let status: Int
    public let body: Data

    public func decode<T: Decodable>(_ type: T.Type) throws -> T { try WireCoding.decode(type, from: body) }
}
