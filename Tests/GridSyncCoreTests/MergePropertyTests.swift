import Testing
@testable import GridSyncCore

/// Properties of the merge over thousands of random histories. Each failure names its seed.
/// The loops yield now and then: they are pure CPU, and the cooperative pool has only as many
/// threads as cores, which live-server tests running alongside need too.
@Suite("Merge properties", .serialized)
struct MergePropertyTests {
    static let histories: UInt64 = 10_000

    @Test("any delivery order, with duplicates, converges to the same state and conflicts")
    func anyOrderConverges() async {
        for seed in 1...Self.histories {
            if seed % 200 == 0 { await Task.yield() }
            let history = History(seed: seed)
            var random = SplitMix64(seed: seed &* 31)
            let inOrder = RecordState(applying: history.changes)
            let shuffled = RecordState(applying: history.delivery(using: &random))
            #expect(inOrder == shuffled, "seed \(seed)")
            #expect(inOrder.entries == history.expectedEntries, "seed \(seed)")
            #expect(inOrder.conflictingFields == shuffled.conflictingFields, "seed \(seed)")
            #expect(inOrder.hasDeleteConflict == shuffled.hasDeleteConflict, "seed \(seed)")
            if inOrder != shuffled || inOrder.entries != history.expectedEntries { return }
        }
    }

    @Test("merge is commutative, associative and idempotent")
    func joinLaws() async {
        for seed in 1...Self.histories {
            if seed % 200 == 0 { await Task.yield() }
            let history = History(seed: seed)
            var random = SplitMix64(seed: seed &* 17)
            var parts: [[Change]] = [[], [], []]
            for change in history.changes { parts[Int.random(in: 0..<3, using: &random)].append(change) }
            let (a, b, c) = (RecordState(applying: parts[0]), RecordState(applying: parts[1]), RecordState(applying: parts[2]))
            #expect(a.merged(with: b) == b.merged(with: a), "seed \(seed)")
            #expect(a.merged(with: b).merged(with: c) == a.merged(with: b.merged(with: c)), "seed \(seed)")
            #expect(a.merged(with: a) == a, "seed \(seed)")
            #expect(a.merged(with: b).merged(with: c) == RecordState(applying: history.changes), "seed \(seed)")
        }
    }

    @Test("causally ordered edits never conflict, and each one is a fast-forward")
    func causalEditsNeverConflict() async {
        for seed in 1...Self.histories {
            if seed % 200 == 0 { await Task.yield() }
            let history = History(seed: seed, causalOnly: true)
            var state = RecordState()
            let outcomes = history.changes.map { state.apply($0) }
            #expect(outcomes.allSatisfy { $0 == .applied }, "seed \(seed)")
            #expect(!state.isInConflict, "seed \(seed)")
            if state.isInConflict { return }
        }
    }

    @Test("concurrent edits of the same field to different values always conflict")
    func concurrentSameFieldConflicts() async {
        var random = SplitMix64(seed: 99)
        for seed in 1...Self.histories {
            if seed % 200 == 0 { await Task.yield() }
            let history = History(seed: seed, steps: 8, causalOnly: true)
            var base = RecordState(applying: history.changes)
            let path = History.paths.randomElement(using: &random)!
            var worker = base, cadre = base
            let first = worker.write([path: .string("worker")], by: History.replicas[0], id: ChangeID("x1")!, record: History.record)
            let second = cadre.write([path: .string("cadre")], by: History.replicas[1], id: ChangeID("x2")!, record: History.record)
            #expect(base.apply(first) == .applied, "seed \(seed)")
            #expect(base.apply(second) == .conflict, "seed \(seed)")
            #expect(base.conflictingFields == [path], "seed \(seed)")
            #expect(Set(base.entries[path]?.values.map { $0 } ?? []) == [.string("worker"), .string("cadre")], "seed \(seed)")
        }
    }

    @Test("every conflict the state reports is one the history predicts")
    func conflictsMatchOracle() async {
        for seed in 1...Self.histories {
            if seed % 200 == 0 { await Task.yield() }
            let history = History(seed: seed)
            let state = RecordState(applying: history.changes)
            let expected = history.expectedEntries
            let expectedFields = expected.filter { $0.key != .deleted && Set($0.value.values).count > 1 }.keys.sorted()
            let tombstoned = expected[.deleted]?.values.contains(.bool(true)) ?? false
            #expect(state.conflictingFields == expectedFields, "seed \(seed)")
            let revived = expected[.deleted]?.values.contains(.bool(false)) ?? false
            #expect(state.hasDeleteConflict == (tombstoned && (revived || expected.keys.contains { $0 != .deleted })), "seed \(seed)")
        }
    }
}
