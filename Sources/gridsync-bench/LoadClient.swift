import Foundation
import GridSyncProtocol
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Many concurrent HTTP/1.1 connections through URLSession, the clients' default transport.
struct LoadClient: Sendable {
    let base: URL
    let connections: Int
    let session: URLSession

    init(base: URL, connections: Int) {
        self.base = base
        self.connections = connections
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = connections
        configuration.timeoutIntervalForRequest = 120
        session = URLSession(configuration: configuration)
    }

    /// Sends `total` GETs of `path` over all connections and returns requests per second.
    func requestsPerSecond(path: String, total: Int) async throws -> Double {
        let url = base.appendingPathComponent(path)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<connections {
                group.addTask {
                    for _ in stride(from: worker, to: total, by: connections) { _ = try await session.data(from: url) }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Each connection sends its own bodies in order; returns the number of non-200 answers.
    func push(bodies: [[Data]], tokens: [String]) async throws -> Int {
        let url = base.appendingPathComponent("v1/push")
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, deviceBodies) in bodies.enumerated() {
                let token = tokens[index]
                group.addTask {
                    var failures = 0
                    for body in deviceBodies {
                        var request = URLRequest(url: url)
                        request.httpMethod = "POST"
                        request.httpBody = body
                        request.setValue(String(WireProtocol.version), forHTTPHeaderField: WireProtocol.versionHeader)
                        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                        let (_, response) = try await session.data(for: request)
                        if (response as? HTTPURLResponse)?.statusCode != 200 { failures += 1 }
                    }
                    return failures
                }
            }
            return try await group.reduce(0, +)
        }
    }
}
