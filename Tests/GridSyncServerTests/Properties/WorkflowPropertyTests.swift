import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// The work-order merge over 10,000 random lives of an order (``WorkflowHistory``): no illegal
/// state is ever stored, every move that leaves another state beside it is a workflow conflict,
/// terminals converge, and delivering the very same pushes again in other orders (any order
/// that keeps each change after the changes it had seen, one random such order per history) accepts and refuses the same ones and
/// ends in the same record.
@Suite("Workflow properties", .serialized)
struct WorkflowPropertyTests {
    static let histories: UInt64 = 10_000

    @Test("no illegal state is stored, concurrent moves conflict, and any delivery order converges")
    func anyDeliveryOrder() async throws {
        let (counts, reordered, failures) = await offPool { Self.run(Self.histories) }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(3))")
        let n = Int(Self.histories)
        // The histories must exercise what they claim to.
        #expect(counts.moves > 5 * n && counts.illegal > n / 2 && counts.workflowConflicts > n / 5, "\(counts)")
        #expect(counts.sameStateMerges > n / 20 && counts.resolutions > n / 10 && counts.closed > n / 20, "\(counts)")
        #expect(reordered > n * 3 / 4, "only \(reordered) replays changed the order")
        print("workflow: \(Self.histories) histories, \(counts), \(reordered) replays in another order")
    }

    /// Every history, then its pushes again in another causal order; what failed, by seed.
    static func run(_ histories: UInt64) -> (WorkflowHistory.Counts, Int, [String]) {
        var counts = WorkflowHistory.Counts()
        var reordered = 0
        var failures: [String] = []
        for seed in 1...histories {
            let history = WorkflowHistory(seed: seed)
            counts.add(history.counts)
            failures += history.violations.prefix(1).map { "seed \(seed): \($0)" }
            guard let server = history.engine.stored?.state else {
                failures.append("seed \(seed): the order was never stored")
                continue
            }
            for device in history.devices where device.local.entries != server.entries {
                failures.append("seed \(seed): \(device.replica) did not converge")
            }
            var random = SplitMix64(seed: seed &* 1_000_003)
            let order = causalOrder(history.pushes, using: &random)
            if order.map(\.change.id) != history.pushes.map(\.change.id) { reordered += 1 }
            var replay = EngineModel(key: history.key, workers: WorkflowHistory.workers)
            for push in order {
                let result = replay.push(push.change, by: push.by)
                if (result.outcome == .rejected) != (push.result.outcome == .rejected) || result.reason?.code != push.result.reason?.code {
                    failures.append("seed \(seed): \(push.change.id) was \(push.result.outcome) \(push.result.reason?.code ?? ""), "
                                    + "now \(result.outcome) \(result.reason?.code ?? "")")
                }
            }
            if replay.stored?.state != server { failures.append("seed \(seed): another delivery order ended elsewhere") }
            if failures.count > 20 { break }
        }
        return (counts, reordered, failures)
    }

    /// A random order of `pushes` that keeps each change after every change it had seen: those
    /// whose writes its clock covers. The original order is one such order.
    static func causalOrder(_ pushes: [WorkflowHistory.Push], using random: inout SplitMix64) -> [WorkflowHistory.Push] {
        let tops = pushes.map { push in push.change.writes.values.map(\.dot.counter).max() ?? 0 }
        var waitingOn = pushes.indices.map { j in
            Set((0..<j).filter { i in
                guard let author = pushes[i].change.author else { return false }
                return pushes[j].change.clock[author] >= tops[i]
            })
        }
        var done = Set<Int>()
        var order: [WorkflowHistory.Push] = []
        while order.count < pushes.count {
            let ready = pushes.indices.filter { !done.contains($0) && waitingOn[$0].isSubset(of: done) }
            let next = ready[Int.random(in: 0..<ready.count, using: &random)]
            done.insert(next)
            order.append(pushes[next])
            waitingOn[next] = []
        }
        return order
    }
}
