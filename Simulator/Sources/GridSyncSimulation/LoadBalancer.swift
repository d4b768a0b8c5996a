import FieldClient
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// What a load balancer in front of several server instances does to a terminal: each request
/// may land on another instance (no stickiness), so one sync's push and pull, and a terminal's
/// syncs through the day, hop between instances. A request that cannot reach an instance at
/// all (connection refused: the instance is down) is tried on the next one, as a balancer's
/// "next upstream on error" does; an answer, even an error, is passed through.
final class BalancedTransport: SyncTransport {
    private let instances: [any SyncTransport]
    private let next: Atomic<Int>

    /// - Parameter start: where this terminal's rotation begins, so terminals spread out.
    init(servers: [URL], session: URLSession, start: Int) {
        instances = servers.map { URLSessionTransport(baseURL: $0, session: session) }
        next = Atomic(start)
    }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let first = next.add(1, ordering: .relaxed).oldValue
        var lastFailure: (any Error)?
        for offset in 0..<instances.count {
            do {
                return try await instances[(first + offset) % instances.count].send(request)
            } catch let failure as TransportFailure {
                lastFailure = failure
            }
        }
        throw lastFailure ?? TransportFailure("no server instance")
    }
}
