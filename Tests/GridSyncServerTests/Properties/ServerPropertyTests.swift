import Foundation
import GridSyncTestSupport
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// The server's decisions over thousands of random histories per kind, with deletes, revivals,
/// rejections and resolutions: no stored record that is live and out of conflict ever fails to
/// read as its kind, no replica is ever in conflict with itself, and every terminal ends with
/// the server's state. Each failure names its kind and seed.
@Suite("Server properties", .serialized)
struct ServerPropertyTests {
    static let histories: UInt64 = 10_000

    @Test("stored records stay readable, nobody conflicts with himself, terminals converge", arguments: RecordKind.allCases)
    func invariants(kind: RecordKind) async throws {
        // Every kind there is: a kind without samples fails here instead of going untested.
        let samples = try #require(KindSamples.all.first { $0.kind == kind }, "add \(kind.rawValue) to KindSamples")
        let (counts, failures) = await offPool { () -> (ServerHistory.Counts, [String]) in
            var counts = ServerHistory.Counts()
            var failures: [String] = []
            for seed in 1...Self.histories {
                let history = ServerHistory(samples: samples, seed: seed)
                counts.add(history.counts)
                failures += history.violations.prefix(1).map { "\(kind) seed \(seed): \($0)" }
                let server = history.engine.stored?.state ?? RecordState()
                for device in history.devices {
                    if !device.pending.isEmpty { failures.append("\(kind) seed \(seed): \(device.replica) kept changes unsent") }
                    if device.local.entries != server.entries { failures.append("\(kind) seed \(seed): \(device.replica) did not converge") }
                }
                if !failures.isEmpty { break }
            }
            return (counts, failures)
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        // The histories must exercise what they claim to.
        let n = Int(Self.histories)
        #expect(counts.rejections > n / 2 && counts.conflicts > n / 2, "\(kind): \(counts)")
        if kind.schema.workflow == nil {
            #expect(counts.resolutions > n / 5 && counts.deletes > n / 5 && counts.revivals > n / 10 && counts.refusedRevivals > n / 50,
                    "\(kind): \(counts)")
        } else {
            // A record with a workflow is never deleted (a third of resolutions try, and are
            // refused), and an illegal move pushed anyway is refused. `WorkflowPropertyTests`
            // covers the moves themselves.
            #expect(counts.resolutions > n / 10 && counts.deletes == 0 && counts.refusals["invalid_record", default: 0] > n / 20
                    && counts.rejectionCodes["illegal_transition", default: 0] > n / 50, "\(kind): \(counts)")
        }
        print("\(kind): \(Self.histories) histories, \(counts)")
    }
}
