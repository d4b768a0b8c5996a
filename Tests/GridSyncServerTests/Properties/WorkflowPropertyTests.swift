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
        var counts = WorkflowHistory.Counts()
        var reordered = 0
        for seed in 1...Self.histories {
            // Every history: on two cores the cooperative pool has two threads, and the servers
            // other suites run in this process must not wait behind a long run of histories.
            await Task.yield()
            let history = WorkflowHistory(seed: seed)
            counts.add(history.counts)
            #expect(history.violations.isEmpty, "seed \(seed): \(history.violations.first ?? "")")
            let server = try #require(history.engine.stored?.state, "seed \(seed): the order was never stored")
            for device in history.devices {
                #expect(device.local.entries == server.entries, "seed \(seed): \(device.replica) did not converge")
            }
            for round: UInt64 in 0..<1 {
                var random = SplitMix64(seed: seed &* 1_000_003 &+ round)
                let order = Self.causalOrder(history.pushes, using: &random)
                if order.map(\.change.id) != history.pushes.map(\.change.id) { reordered += 1 }
                var replay = EngineModel(key: history.key, workers: WorkflowHistory.workers)
                for push in order {
                    let result = replay.push(push.change, by: push.by)
                    #expect((result.outcome == .rejected) == (push.result.outcome == .rejected) && result.reason?.code == push.result.reason?.code,
                            "seed \(seed) round \(round): \(push.change.id) was \(push.result.outcome) \(push.result.reason?.code ?? ""), now \(result.outcome) \(result.reason?.code ?? "")")
                }
                #expect(replay.stored?.state == server, "seed \(seed) round \(round): another delivery order ended elsewhere")
            }
            if !history.violations.isEmpty { return }
        }
        let n = Int(Self.histories)
        // The histories must exercise what they claim to.
        #expect(counts.moves > 5 * n && counts.illegal > n / 2 && counts.workflowConflicts > n / 5, "\(counts)")
        #expect(counts.sameStateMerges > n / 20 && counts.resolutions > n / 10 && counts.closed > n / 20, "\(counts)")
        #expect(reordered > n * 3 / 4, "only \(reordered) replays changed the order")
        print("workflow: \(Self.histories) histories, \(counts), \(reordered) replays in another order")
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
