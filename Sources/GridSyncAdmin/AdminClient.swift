import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GridSyncProtocol

/// The command centre's side of the admin API: the one place that builds an admin request and
/// turns an answer into a value or an ``AdminError``. The CLI, the simulator, the benchmarks and
/// the tests all go through it, so a protocol header or an error's meaning is written once. The
/// typed calls (`AdminClient+…`) are the paths; nothing outside this module names one.
public struct AdminClient: Sendable {
    public let transport: any AdminTransport
    public let token: String
    /// How many times a request that found no server, or a 5xx, is sent in all; refusals (4xx)
    /// are never sent again. 1: once, as a person at a terminal wants.
    public let attempts: Int

    public init(transport: any AdminTransport, token: String, attempts: Int = 1) {
        self.transport = transport
        self.token = token
        self.attempts = max(1, attempts)
    }

    /// A client of the server at `baseURL`, over the network.
    public init(baseURL: URL, token: String, session: URLSession = .shared, attempts: Int = 1, timeout: TimeInterval = 30) {
        self.init(transport: URLSessionAdminTransport(baseURL: baseURL, session: session, timeout: timeout), token: token, attempts: attempts)
    }

    /// The server's base URL, when it is reached over the network.
    public var baseURL: URL? { transport.endpoint }

    func get<T: Decodable>(_ type: T.Type, _ path: String, query: [String: String] = [:]) async throws -> T {
        try Self.decode(type, try await send("GET", path, query: query, body: nil))
    }

    func send<T: Decodable, B: Encodable>(_ type: T.Type, _ method: String, _ path: String, body: B,
                                          headers: [String: String] = [:]) async throws -> T {
        try Self.decode(type, try await send(method, path, body: try WireCoding.encode(body), headers: headers))
    }

    /// A registration that survives a lost answer: the same `Idempotency-Key` on every attempt
    /// (three at least), so retrying after a dropped connection never registers twice.
    func sendIdempotent<T: Decodable, B: Encodable>(_ type: T.Type, _ method: String, _ path: String, body: B,
                                                    key: String = UUID().uuidString.lowercased()) async throws -> T {
        let retrying = AdminClient(transport: transport, token: token, attempts: max(attempts, 3))
        return try await retrying.send(type, method, path, body: body, headers: ["Idempotency-Key": key])
    }

    /// The answer's body, for the few calls that are not JSON (a photo's bytes) or whose answer
    /// is empty. A 2xx returns; a 4xx throws at once; no answer or a 5xx is tried `attempts` times.
    func send(_ method: String, _ path: String, query: [String: String] = [:], body: Data?,
              headers: [String: String] = [:]) async throws -> Data {
        var failure = unreachable
        for attempt in 1...attempts {
            if attempt > 1 { try await Task.sleep(for: .milliseconds(min(50 * attempt, 1_000))) }
            guard let answer = try? await answer(method, path, query: query, body: body, headers: headers) else {
                failure = unreachable
                continue
            }
            if (200..<300).contains(answer.status) { return answer.body }
            failure = AdminError(status: answer.status, body: answer.body)
            if answer.status < 500 { throw failure }
        }
        throw failure
    }

    /// One request, sent once, and the server's answer whatever its status: for checks of the
    /// admin API's own refusals (the authorisation matrix, hostile input), where a 4xx is the
    /// expected answer, not a failure.
    public func answer(_ method: String, _ path: String, query: [String: String] = [:], body: Data?,
                       headers: [String: String] = [:]) async throws -> AdminAnswer {
        var all = headers
        all[WireProtocol.versionHeader] = String(WireProtocol.version)
        all["Authorization"] = "Bearer \(token)"
        if body != nil { all["Content-Type"] = "application/json" }
        let items = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return try await transport.carry(AdminRequest(method: method, path: path, query: items, headers: all, body: body))
    }

    private var unreachable: AdminError { AdminError.unreachable(transport.endpoint) }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try WireCoding.decode(type, from: data)
        } catch {
            throw AdminError(kind: .unreadable, status: nil, message: "the server's answer was not understood: is it a GridSync server of a matching version?")
        }
    }

    /// Waits until the server at `server` answers `/health` with 200: the one health wait, for
    /// every tool that starts a server and then talks to it.
    public static func waitUntilHealthy(_ server: URL, attempts: Int = 1_000) async throws {
        let url = server.appendingPathComponent("health")
        for _ in 0..<attempts {
            if let (_, response) = try? await URLSession.shared.data(from: url), (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw AdminError.unreachable(server)
    }
}
