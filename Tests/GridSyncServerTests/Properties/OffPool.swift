import Dispatch

/// Runs a long CPU-bound loop on a thread of its own, off Swift's cooperative pool. On a
/// two-core machine that pool has two threads, and the in-process servers other suites run
/// in this test process would wait behind a property test's thousands of histories (a CLI
/// test's request timed out so on a loaded CI run). The loop reports what failed; the test
/// states it afterwards, where Swift Testing can attribute it.
func offPool<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { continuation in
        DispatchQueue.global(qos: .utility).async { continuation.resume(returning: body()) }
    }
}
