import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GridSyncProtocol

/// The admin API over HTTP, with the server's error envelope turned into ``CLIError``.
struct AdminClient {
    let baseURL: URL
    let token: String

    func get<T: Decodable>(_ type: T.Type, _ path: String, query: [String: String] = [:]) async throws -> T {
        try decode(type, try await send("GET", path, query: query, body: nil))
    }

    func send<T: Decodable, B: Encodable>(_ type: T.Type, _ method: String, _ path: String, body: B) async throws -> T {
        try decode(type, try await send(method, path, query: [:], body: try WireCoding.encode(body)))
    }

    /// A registration that survives a lost answer: the same `Idempotency-Key` on every attempt,
    /// so retrying after a dropped connection never registers a second device.
    func sendIdempotent<T: Decodable, B: Encodable>(_ type: T.Type, _ method: String, _ path: String, body: B) async throws -> T {
        let data = try WireCoding.encode(body)
        let key = UUID().uuidString.lowercased()
        for attempt in 1...3 {
            do {
                return try decode(type, try await send(method, path, query: [:], body: data, headers: ["Idempotency-Key": key]))
            } catch let error as CLIError where error.kind == .unreachable && attempt < 3 {
                try await Task.sleep(for: .seconds(attempt))
            }
        }
        throw CLIError(.unreachable, "cannot reach \(baseURL.absoluteString): check --server and that gridsync-server is running")
    }

    func send(_ method: String, _ path: String, query: [String: String], body: Data?, headers: [String: String] = [:]) async throws -> Data {
        var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        if !query.isEmpty { components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        var request = URLRequest(url: components.url!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 30
        request.setValue(String(WireProtocol.version), forHTTPHeaderField: WireProtocol.versionHeader)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CLIError(.unreachable, "cannot reach \(baseURL.absoluteString): check --server and that gridsync-server is running")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw Self.failure(status: status, body: data) }
        return data
    }

    private func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try WireCoding.decode(type, from: data)
        } catch {
            throw CLIError(.server, "the server's answer was not understood: is it a GridSync server of a matching version?")
        }
    }

    static func failure(status: Int, body: Data) -> CLIError {
        let error = try? WireCoding.decode(ErrorEnvelope.self, from: body).error
        var message = error?.message ?? "the server answered HTTP \(status)"
        if let field = error?.field { message += " (at \(field))" }
        switch status {
        case 401, 403: return CLIError(.refused, message)
        case 404: return CLIError(.notFound, message)
        case 409: return CLIError(.changed, message)
        case 400, 413, 422: return CLIError(.invalid, message)
        case 426: return CLIError(.server, message)
        default: return CLIError(.server, message)
        }
    }
}
