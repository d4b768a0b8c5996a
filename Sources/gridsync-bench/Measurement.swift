import Foundation

/// Runs `body` repeatedly for at least `seconds` and returns operations per second, taking the
/// best of `rounds` rounds so that a burst of load elsewhere on the machine counts against the
/// round it hit, not against the figure.
func operationsPerSecond(rounds: Int = 5, seconds: Double = 0.4, batch: Int, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    var best = 0.0
    for _ in 0..<rounds {
        var operations = 0
        let start = clock.now
        var elapsed = Duration.zero
        repeat {
            for _ in 0..<batch { body() }
            operations += batch
            elapsed = clock.now - start
        } while elapsed < .milliseconds(Int(seconds * 1_000))
        let rate = Double(operations) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        best = max(best, rate)
    }
    return best
}

/// Keeps the optimiser from deleting work whose result is otherwise unused.
@inline(never)
func blackHole<T>(_ value: T) {}

func formatRate(_ rate: Double) -> String {
    rate >= 1_000_000 ? String(format: "%.2f M/s", rate / 1_000_000) : String(format: "%.0f k/s", rate / 1_000)
}
