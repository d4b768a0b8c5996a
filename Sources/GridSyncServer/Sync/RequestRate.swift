import Foundation
import Synchronization

/// Requests per second lately, decaying with a one-second time constant: how a server tells a
/// sync storm (hundreds a second) from the day's trickle (a few), so that photos can wait out
/// the one and not the other.
final class RequestRate: Sendable {
    private struct State {
        var rate = 0.0
        var last = ContinuousClock.now
    }
    private let state = Mutex(State())
    private let timeConstant = 1.0

    /// Counts one request now.
    func tick() {
        state.withLock { state in
            state.rate = Self.decayed(state, to: .now, timeConstant: timeConstant) + 1 / timeConstant
            state.last = .now
        }
    }

    /// The rate as of now.
    var perSecond: Double {
        state.withLock { Self.decayed($0, to: .now, timeConstant: timeConstant) }
    }

    private static func decayed(_ state: State, to now: ContinuousClock.Instant, timeConstant: Double) -> Double {
        let elapsed = now - state.last
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return state.rate * exp(-seconds / timeConstant)
    }
}
