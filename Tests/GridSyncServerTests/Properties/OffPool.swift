import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a long CPU-bound loop on a thread of its own, off Swift's cooperative pool and at a
/// lower scheduling priority. On a two-core machine that pool has two threads, and the
/// in-process servers other suites run in this test process would wait behind a property
/// test's thousands of histories (a CLI test's request timed out so on a loaded CI run); at
/// nice 10 the loop takes the CPU those servers leave. The loop reports what failed; the test
/// states it afterwards, where Swift Testing can attribute it.
func offPool<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { continuation in
        let thread = Thread {
            #if canImport(Glibc)
            // On Linux a nice value belongs to a thread, and `who` 0 names the calling one.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            #endif
            continuation.resume(returning: body())
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
