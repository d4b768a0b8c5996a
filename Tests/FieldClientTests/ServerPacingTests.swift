import Foundation
import GridSyncTestSupport
import GridSyncAdmin
@testable import FieldClient
import GridSyncCore
import GridSyncProtocol
import Synchronization
import Testing

/// A server pacing a storm answers `503 overloaded` with `Retry-After`: the handset waits that
/// long (plus a little), does not count the pauses as failures, and its work arrives whole.
@Suite("Server pacing")
struct ServerPacingTests {
    /// The real server behind it, but the first `refusals` pushes are turned away as an
    /// admission gate would turn them away.
    final class Pacing: SyncTransport, Sendable {
        let inner: URLSessionTransport
        let refusals = Mutex(0)

        init(inner: URLSessionTransport, refusals: Int) {
            self.inner = inner
            self.refusals.withLock { $0 = refusals }
        }

        func send(_ request: TransportRequest) async throws -> TransportResponse {
            let refuse = request.path.hasPrefix("/v1/push") && refusals.withLock { left in
                defer { left = max(0, left - 1) }
                return left > 0
            }
            guard refuse else { return try await inner.send(request) }
            let body = try WireCoding.encode(ErrorEnvelope(.overloaded, "the server is busy with a sync storm: retry after the pause it gives"))
            return TransportResponse(status: 503, headers: ["retry-after": "3", "content-type": "application/json"], body: body)
        }
    }

    final class Pauses: Sendable { let taken = Mutex<[Duration]>([]) }

    @Test("Retry-After is honoured in full, pauses are not failures, and the outbox arrives once")
    func honoursRetryAfter() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let pacing = Pacing(inner: URLSessionTransport(baseURL: session.baseURL), refusals: 4)
            let pauses = Pauses()
            let handset = try FieldClient(
                path: server.directory.appendingPathComponent("paced.sqlite").path, transport: pacing,
                configuration: .init(appVersion: "test", retry: RetryPolicy(maxAttempts: 1),
                                     sleep: { pause in pauses.taken.withLock { $0.append(pause) } }, seed: 7))
            try await handset.enroll(code: try await session.enrollmentCode(worker: "zhang.wei", grids: [LiveServer.gridA]))
            try await handset.create(Sample.household("hh-paced"))

            // One attempt allowed for failures, yet four pauses are waited out.
            let report = try await handset.sync()
            #expect(report.pushed == 1)
            let taken = pauses.taken.withLock { $0 }
            #expect(taken.count == 4)
            #expect(taken.allSatisfy { $0 >= .seconds(3) && $0 <= .milliseconds(3_300) }, "\(taken)")
            #expect(try await session.serverState(RecordKey(kind: .household, id: RecordID("hh-paced")!)) != nil)
            #expect(try await handset.status().pendingChanges == 0)
        }
    }

    @Test("a server that keeps pausing a request is given up on for this sync, with the outbox kept")
    func boundedPauses() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let pacing = Pacing(inner: URLSessionTransport(baseURL: session.baseURL), refusals: 1_000)
            let handset = try FieldClient(
                path: server.directory.appendingPathComponent("paced.sqlite").path, transport: pacing,
                configuration: .init(appVersion: "test", retry: RetryPolicy(maxAttempts: 1, maxServerPauses: 5), sleep: { _ in }, seed: 7))
            try await handset.enroll(code: try await session.enrollmentCode(worker: "zhang.wei", grids: [LiveServer.gridA]))
            try await handset.create(Sample.household("hh-paced"))
            await #expect(throws: FieldClientError.self) { try await handset.sync() }
            #expect(try await handset.status().pendingChanges == 1)
            #expect(pacing.refusals.withLock { $0 } == 1_000 - 6)
        }
    }
}
