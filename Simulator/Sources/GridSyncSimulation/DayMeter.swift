import FieldClient
import Foundation
import Synchronization

/// What the simulated day is doing, second by second: the live progress line reads it as the
/// day runs, and the HTML report draws its timeline from it afterwards. Counting is a lock and
/// an addition per request, so watching the day never slows it.
public final class DayMeter: Sendable {
    struct State {
        let start = ContinuousClock.now
        var phase = "setting up"
        var phases: [DayTimeline.Phase] = []
        var synced = 0
        var expected = 0
        var changes = 0
        var requests = 0
        var errors: [String: Int] = [:]
        var seconds: [DayTimeline.Second] = []

        var elapsed: Double { (ContinuousClock.now - start) / .seconds(1) }

        mutating func second() -> Int {
            let index = max(0, Int(elapsed))
            while seconds.count <= index { seconds.append(DayTimeline.Second()) }
            return index
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// A new phase; `terminals` is how many terminals it waits for, when it syncs them.
    func phase(_ name: String, terminals: Int = 0) {
        state.withLock { state in
            state.phase = name
            state.synced = 0
            state.expected = terminals
            state.phases.append(DayTimeline.Phase(name: name, startSecond: state.elapsed))
        }
    }

    func request() {
        state.withLock { state in
            state.requests += 1
            state.seconds[state.second()].requests += 1
        }
    }

    /// A terminal finished a sync that pushed `pushed` changes.
    func synced(pushed: Int) {
        state.withLock { state in
            state.synced += 1
            state.changes += pushed
            state.seconds[state.second()].changes += pushed
        }
    }

    func error(_ kind: String) {
        state.withLock { state in
            state.errors[kind, default: 0] += 1
            state.seconds[state.second()].errors[kind, default: 0] += 1
        }
    }

    /// The day as it stands, for the progress line.
    public var snapshot: Snapshot {
        state.withLock { state in
            let now = Int(state.elapsed)
            // The last whole second, so the rate does not flicker with the current one's start.
            let rate = now >= 1 && state.seconds.count >= now ? state.seconds[now - 1].requests : 0
            return Snapshot(phase: state.phase, synced: state.synced, expected: state.expected, changes: state.changes,
                            requestsPerSecond: rate, errors: state.errors.values.reduce(0, +), elapsed: state.elapsed)
        }
    }

    /// What the HTML report draws: requests, changes and errors per second, and the phases.
    var timeline: DayTimeline {
        state.withLock { state in DayTimeline(seconds: state.seconds, phases: state.phases) }
    }

    public struct Snapshot: Sendable {
        public let phase: String
        public let synced: Int
        public let expected: Int
        /// Changes the terminals pushed and the server acknowledged.
        public let changes: Int
        public let requestsPerSecond: Int
        public let errors: Int
        public let elapsed: Double

        /// One line for a terminal's status line.
        public var line: String {
            var parts = [String(format: "%6.1fs", elapsed), phase]
            if expected > 0 { parts.append("\(synced)/\(expected) terminals synced") }
            parts.append("\(changes) changes on the server")
            parts.append("\(requestsPerSecond) req/s")
            parts.append("\(errors) errors")
            return parts.joined(separator: " · ")
        }
    }
}

/// The day second by second, in the JSON report and drawn in the HTML one.
public struct DayTimeline: Codable, Sendable, Hashable {
    public struct Second: Codable, Sendable, Hashable {
        public var requests = 0
        public var changes = 0
        public var errors: [String: Int] = [:]
    }

    public struct Phase: Codable, Sendable, Hashable {
        public var name: String
        /// Seconds since the day began.
        public var startSecond: Double

        enum CodingKeys: String, CodingKey { case name, startSecond = "start_second" }
    }

    public var seconds: [Second]
    public var phases: [Phase]
}

/// Counts every request a terminal sends, for the meter.
struct MeteredTransport: SyncTransport {
    let wrapped: any SyncTransport
    let meter: DayMeter

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        meter.request()
        return try await wrapped.send(request)
    }
}
