import Foundation
import GridSyncCore
import Synchronization

/// Wraps a transport and injects the faults grid workers meet: requests that never leave,
/// answers lost after the server acted (lost acks), slow links and cut-off bodies.
///
/// Faults come from a script (tests) or from a seeded random schedule (the simulator), so a
/// run can be replayed exactly.
public final class FaultInjectingTransport: SyncTransport {
    public enum Fault: Sendable, Hashable {
        /// The request never reaches the server.
        case dropRequest
        /// The server processes the request, but the answer is lost.
        case dropResponse
        /// The answer arrives after this long.
        case delay(Duration)
        /// Only the first half of the answer's body arrives.
        case truncate
    }

    private let wrapped: any SyncTransport
    private let state: Mutex<State>
    private let sleep: @Sendable (Duration) async throws -> Void

    struct State {
        var script: [Fault?]
        var random: SplitMix64?
        var rates: Rates
        var injected: [Fault] = []
    }

    /// Per-request probabilities for the random schedule.
    public struct Rates: Sendable, Hashable {
        public var dropRequest: Double
        public var dropResponse: Double
        public var truncate: Double
        public var delay: Double
        public var delayLength: Duration

        public init(dropRequest: Double = 0, dropResponse: Double = 0, truncate: Double = 0, delay: Double = 0, delayLength: Duration = .milliseconds(50)) {
            self.dropRequest = dropRequest
            self.dropResponse = dropResponse
            self.truncate = truncate
            self.delay = delay
            self.delayLength = delayLength
        }
    }

    /// Applies `script` to the next requests in order (`nil` passes a request untouched), then
    /// passes everything.
    public init(wrapping transport: any SyncTransport, script: [Fault?],
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        wrapped = transport
        state = Mutex(State(script: script, random: nil, rates: Rates()))
        self.sleep = sleep
    }

    /// Injects faults at random with the given rates, from `seed`.
    public init(wrapping transport: any SyncTransport, seed: UInt64, rates: Rates,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        wrapped = transport
        state = Mutex(State(script: [], random: SplitMix64(seed: seed), rates: rates))
        self.sleep = sleep
    }

    /// Adds faults to the end of the script.
    public func schedule(_ faults: [Fault?]) {
        state.withLock { $0.script.append(contentsOf: faults) }
    }

    /// Every fault injected so far, in order.
    public var injected: [Fault] { state.withLock { $0.injected } }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        let fault = state.withLock { state -> Fault? in
            let fault: Fault?
            if !state.script.isEmpty {
                fault = state.script.removeFirst()
            } else if var random = state.random {
                let roll = Double(random.next() >> 11) / Double(1 << 53)
                let rates = state.rates
                let table: [(Double, Fault)] = [(rates.dropRequest, .dropRequest), (rates.dropResponse, .dropResponse),
                                                (rates.truncate, .truncate), (rates.delay, .delay(rates.delayLength))]
                var cumulative = 0.0
                var chosen: Fault?
                for (probability, candidate) in table {
                    cumulative += probability
                    if roll < cumulative { chosen = candidate; break }
                }
                fault = chosen
                state.random = random
            } else {
                fault = nil
            }
            if let fault { state.injected.append(fault) }
            return fault
        }
        switch fault {
        case .dropRequest?:
            throw TransportFailure("injected: request dropped")
        case .dropResponse?:
            _ = try await wrapped.send(request)
            throw TransportFailure("injected: response lost")
        case .delay(let length)?:
            try await sleep(length)
            return try await wrapped.send(request)
        case .truncate?:
            var response = try await wrapped.send(request)
            response.body = response.body.prefix(response.body.count / 2)
            return response
        case nil:
            return try await wrapped.send(request)
        }
    }
}
