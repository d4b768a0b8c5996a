import Foundation
import GridSyncCore
import GridSyncProtocol
import Synchronization

/// How much sync work the server takes on at once (`--max-concurrent-pushes`,
/// `--max-concurrent-pulls`, `--queue-target`).
public struct AdmissionPolicy: Sendable, Hashable {
    /// Pushes decoding, checking or waiting for their commit at once.
    public var pushSlots: Int
    /// Pulls reading their page at once.
    public var pullSlots: Int
    /// Photo chunks being checked and written at once. Few, so that photos arriving in a storm
    /// never slow the records' own sync: a chunk refused here is simply sent later.
    public var blobSlots: Int
    /// Photos yield to records: while pushes and pulls arrive at this many a second or more (a
    /// storm, not the day's trickle), a photo upload is answered `503` with a `Retry-After`.
    public var photosYieldAt: Double
    /// The longest a request should queue for a slot. A request that would wait longer is
    /// refused at once with `503 overloaded` and a `Retry-After`.
    public var queueTarget: Duration

    public init(pushSlots: Int = 32, pullSlots: Int = 8, blobSlots: Int = 4, photosYieldAt: Double = 5, queueTarget: Duration = .seconds(2)) {
        self.pushSlots = pushSlots
        self.pullSlots = pullSlots
        self.blobSlots = blobSlots
        self.photosYieldAt = photosYieldAt
        self.queueTarget = queueTarget
    }
}

/// Admission for one class of request: at most `slots` run at once, the rest queue in arrival
/// order while the queue can be served within the target; past that a newcomer is refused at
/// once, told to come back after a time drawn at random from the span the queue needs to
/// drain and as long again. So a storm of thousands of terminals turns into orderly waves of
/// retries instead of a pile of connections that all time out together, and the requests
/// that are admitted stay fast.
///
/// The wait is estimated from the queue's length and a moving average of how long admitted
/// requests took (Little's law), so the gate adapts to the machine and the store.
final class AdmissionGate: Sendable {
    let name: String
    let slots: Int
    let target: Double

    private struct State {
        var running = 0
        /// Waiters in arrival order; each is resumed with `nil` when it gets a slot.
        var queue: [CheckedContinuation<Int?, Never>] = []
        /// Seconds an admitted request holds its slot, on average.
        var serviceSeconds = 0.02
        var random = SplitMix64(seed: UInt64(UInt32.random(in: 0...UInt32.max)))
    }
    private let state = Mutex(State())

    /// - Parameter expectedService: the first guess at how long a request holds its slot,
    ///   until admitted requests have shown it.
    init(name: String, slots: Int, target: Duration, expectedService: Duration = .milliseconds(20)) {
        self.name = name
        self.slots = max(1, slots)
        self.target = Self.seconds(target)
        state.withLock { $0.serviceSeconds = Self.seconds(expectedService) }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Runs `body` in a slot, after queueing if need be; throws `503 overloaded` at once when
    /// the queue is already longer than the target allows.
    func admit<T>(_ body: () async throws -> T) async throws -> T {
        try await enter()
        let started = ContinuousClock.now
        defer { leave(held: ContinuousClock.now - started) }
        return try await body()
    }

    /// Refuses now if a request arriving now would be refused, before its body is read: a
    /// refused terminal should not spend its weak signal uploading a body first.
    func refuseIfFull() throws {
        if let seconds = state.withLock({ Self.refusal(&$0, slots: slots, target: target) }) { throw Self.overloaded(seconds) }
    }

    /// Takes a slot, queues for one, or refuses; deciding and queueing under one lock, so a
    /// slot freed meanwhile cannot be missed.
    private func enter() async throws {
        let refusal: Int? = await withCheckedContinuation { continuation in
            let answer: Int?? = state.withLock { state in
                if state.running < slots && state.queue.isEmpty {
                    state.running += 1
                    return .some(nil)
                }
                if let seconds = Self.refusal(&state, slots: slots, target: target) { return .some(seconds) }
                state.queue.append(continuation)
                return .none
            }
            if case .some(let now) = answer { continuation.resume(returning: now) }
        }
        if let refusal { throw Self.overloaded(refusal) }
    }

    /// The `Retry-After` seconds for a newcomer, or `nil` when it may run or queue: spread at
    /// random over the time the queue needs to drain and as long again, in whole seconds.
    private static func refusal(_ state: inout State, slots: Int, target: Double) -> Int? {
        guard state.running >= slots || !state.queue.isEmpty else { return nil }
        let drain = Double(state.queue.count + 1) * state.serviceSeconds / Double(slots)
        guard drain > target else { return nil }
        return max(1, Int(Double.random(in: drain...(2 * drain), using: &state.random).rounded(.up)))
    }

    private static func overloaded(_ seconds: Int) -> APIError {
        var error = APIError(.serviceUnavailable, .overloaded, "the server is busy with a sync storm: retry after the pause it gives; nothing was applied")
        error.retryAfterSeconds = seconds
        return error
    }

    /// Frees the slot, or hands it straight to the longest waiter.
    private func leave(held: Duration) {
        let seconds = Self.seconds(held)
        let next: CheckedContinuation<Int?, Never>? = state.withLock { state in
            state.serviceSeconds += (seconds - state.serviceSeconds) * 0.2
            guard !state.queue.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.queue.removeFirst()
        }
        next?.resume(returning: nil)
    }

    /// Requests waiting for a slot now, for tests and metrics.
    var queued: Int { state.withLock { $0.queue.count } }

    /// A refusal of lower-priority work with a pause of `seconds` (photos yielding to a storm).
    func yielding(for seconds: Int) -> APIError {
        var error = APIError(.serviceUnavailable, .overloaded, "the server is busy with a sync storm: records go first; send photos after the pause it gives")
        error.retryAfterSeconds = seconds
        return error
    }
}
