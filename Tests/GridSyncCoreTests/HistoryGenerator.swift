@testable import GridSyncCore

/// Random histories of one record edited on several replicas that sync with one another only
/// now and then: the shape of a grid worker and a sunk-down cadre working offline.
struct History {
    var changes: [Change] = []
    var seed: UInt64

    static let record = RecordKey(kind: .household, id: RecordID("hh-1")!)
    static let replicas = ["worker", "cadre", "super", "server"].map { ReplicaID($0)! }
    static let paths = ["address", "type", "notes", "members/m1", "members/m2", "trackPoints/p1", "trackPoints/p2"]
        .map { FieldPath($0)! }
    static let values: [FieldValue] = [.string("a"), .string("b"), .number(3), .null]

    /// - Parameter causalOnly: when true, every replica catches up with everything before it
    ///   writes, so every edit descends from every earlier one.
    init(seed: UInt64, steps: Int = 24, causalOnly: Bool = false) {
        self.seed = seed
        var random = SplitMix64(seed: seed)
        var states = Dictionary(uniqueKeysWithValues: History.replicas.map { ($0, RecordState()) })
        var caughtUp = Dictionary(uniqueKeysWithValues: History.replicas.map { ($0, 0) })
        var nextID = 0
        func mintID() -> ChangeID { nextID += 1; return ChangeID("c\(nextID)")! }

        for _ in 0..<steps {
            let replica = History.replicas.randomElement(using: &random)!
            if causalOnly {
                for change in changes[caughtUp[replica]!...] { states[replica]!.apply(change) }
                caughtUp[replica] = changes.count + 1
            } else if random.chance(0.35) {
                // Pull: a random subset of what exists, in a random order.
                for change in changes.shuffled(using: &random) where random.chance(0.6) {
                    states[replica]!.apply(change)
                }
                continue
            }
            var state = states[replica]!
            let change: Change
            if !causalOnly, state.isInConflict, random.chance(0.5) {
                let resolution: Resolution = state.siblings.randomElement(using: &random).map { .keep($0.replica) } ?? .delete
                change = (try? state.resolve(resolution, by: replica, id: mintID(), record: History.record))
                    ?? state.delete(by: replica, id: mintID(), record: History.record)
            } else if random.chance(0.08) {
                change = state.delete(by: replica, id: mintID(), record: History.record)
            } else {
                var fields: [FieldPath: FieldValue] = [:]
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    fields[History.paths.randomElement(using: &random)!] = History.values.randomElement(using: &random)!
                }
                change = state.write(fields, by: replica, id: mintID(), record: History.record)
            }
            states[replica] = state
            changes.append(change)
        }
    }

    /// What must survive, computed straight from the history rather than by merging: a write
    /// survives exactly when no change lists its dot as superseded.
    var expectedEntries: [FieldPath: [Dot: FieldValue]] {
        let superseded = Set(changes.flatMap(\.supersedes))
        var entries: [FieldPath: [Dot: FieldValue]] = [:]
        for change in changes {
            for (path, write) in change.writes where !superseded.contains(write.dot) {
                entries[path, default: [:]][write.dot] = write.value
            }
        }
        return entries
    }

    /// The changes with random duplicates, in a random order.
    func delivery(using random: inout SplitMix64) -> [Change] {
        var delivered = changes
        for change in changes where random.chance(0.3) { delivered.append(change) }
        return delivered.shuffled(using: &random)
    }
}

extension RecordState {
    init(applying changes: [Change]) {
        self.init()
        for change in changes { apply(change) }
    }
}
