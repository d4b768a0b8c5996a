import Foundation
import GridSyncProtocol
@testable import GridSyncServer
import Synchronization
import Testing

/// Admission under storms: a gate runs at most its slots at once, queues the rest in arrival
/// order while they can be served within the target, and refuses beyond it with `503
/// overloaded` and a `Retry-After` spread over the drain time.
@Suite("Admission")
struct AdmissionTests {
    /// A request that holds its slot until released.
    final class Held: Sendable {
        let started = Mutex(false)
        let release = AsyncStream<Void>.makeStream()

        func run(in gate: AdmissionGate) async throws {
            try await gate.admit {
                started.withLock { $0 = true }
                for await _ in release.stream { break }
            }
        }
    }

    final class Order: Sendable { let ran = Mutex<[Int]>([]) }

    static func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<2_000 where !condition() { try await Task.sleep(for: .milliseconds(1)) }
        #expect(condition())
    }

    @Test("a request that would wait past the target is refused at once, with Retry-After, and nothing of it runs")
    func refusesPastTarget() async throws {
        let gate = AdmissionGate(name: "push", slots: 1, target: .milliseconds(1))
        let held = Held()
        let holder = Task { try await held.run(in: gate) }
        try await Self.waitUntil { held.started.withLock { $0 } }

        let ran = Mutex(false)
        do {
            try await gate.admit { ran.withLock { $0 = true } }
            Issue.record("admitted past the target")
        } catch let error as APIError {
            #expect(error.status == .serviceUnavailable)
            #expect(error.body.code == .overloaded)
            #expect((error.retryAfterSeconds ?? 0) >= 1)
        }
        #expect(throws: APIError.self) { try gate.refuseIfFull() }
        #expect(!ran.withLock { $0 })

        held.release.continuation.yield()
        try await holder.value
        // Free again: admitted at once.
        try gate.refuseIfFull()
        try await gate.admit { ran.withLock { $0 = true } }
        #expect(ran.withLock { $0 })
    }

    @Test("within the target, requests queue and run one slot at a time, in arrival order")
    func queuesInOrder() async throws {
        let gate = AdmissionGate(name: "pull", slots: 1, target: .seconds(60))
        let held = Held()
        let holder = Task { try await held.run(in: gate) }
        try await Self.waitUntil { held.started.withLock { $0 } }

        let order = Order()
        var waiters: [Task<Void, any Error>] = []
        for index in 0..<5 {
            waiters.append(Task { try await gate.admit { @Sendable in order.ran.withLock { $0.append(index) } } })
            try await Self.waitUntil { gate.queued == index + 1 }
        }
        #expect(order.ran.withLock { $0 }.isEmpty, "nothing runs while the slot is held")
        held.release.continuation.yield()
        try await holder.value
        for waiter in waiters { try await waiter.value }
        #expect(order.ran.withLock { $0 } == [0, 1, 2, 3, 4])
        #expect(gate.queued == 0)
    }

    @Test("Retry-After spreads the refused over the drain time and as long again")
    func jitter() async throws {
        // Each request holds its slot about 2 s: a newcomer behind one would wait 2 s, over
        // the 1 s target, so it is told to come back in 2 to 4 s, at random.
        let gate = AdmissionGate(name: "push", slots: 1, target: .seconds(1), expectedService: .seconds(2))
        let held = Held()
        let holder = Task { try await held.run(in: gate) }
        try await Self.waitUntil { held.started.withLock { $0 } }
        var pauses: [Int] = []
        for _ in 0..<200 {
            do { try gate.refuseIfFull() } catch let error as APIError { pauses.append(error.retryAfterSeconds ?? 0) }
        }
        #expect(pauses.count == 200)
        #expect(pauses.allSatisfy { (2...4).contains($0) }, "\(Set(pauses))")
        #expect(Set(pauses).count >= 2, "the pauses are spread, not one wave")
        held.release.continuation.yield()
        try await holder.value
    }
}
