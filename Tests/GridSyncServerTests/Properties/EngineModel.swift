import Foundation
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer

/// One record on a server, in memory, decided exactly as the store decides a push: the same
/// ``ChangeDecider``, the same memory of refused changes, the same delete snapshot and the same
/// resolution. Property tests run hundreds of thousands of pushes through it; a few hundred
/// histories also run through the real SQLite store, which must agree with it.
struct EngineModel {
    let key: RecordKey
    /// Each replica id's worker: a device may write under the replica ids of its worker.
    let workers: [ReplicaID: String]
    private(set) var stored: StoredRecord?
    private var refused: [Dot: [Dot]] = [:]
    private var seq: Int64 = 0
    /// Why the last resolution was refused, as the admin API would answer it.
    private(set) var lastRefusal: ResolutionError?
    private let decider = ChangeDecider()
    static let scope = [GridPath("futian/shatou")!]
    /// Who settles conflicts in the tests, for the action a workflow's resolution records.
    static let opsNote = MoveNote(by: "ops:duty", at: Date(timeIntervalSince1970: 1_795_000_000))

    init(key: RecordKey, workers: [ReplicaID: String]) {
        self.key = key
        self.workers = workers
    }

    func writer(of device: ReplicaID) -> Set<ReplicaID> {
        Set(workers.filter { $0.value == workers[device] }.keys).union([device])
    }

    /// Pushes one change from `device`; returns its result as the server would.
    mutating func push(_ change: Change, by device: ReplicaID) -> ChangeResult {
        let writer = writer(of: device)
        let inherited = stored.map { stored in ChangeDecider.inheritedSupersedes(change, stored: stored) { refused[$0] } } ?? []
        switch decider.decide(decider.check(change), stored: stored, scope: Self.scope, writer: writer, inherited: inherited) {
        case .reject(let reason):
            if stored != nil {
                let superseded = ChangeDecider.supersededByRefusal(change, inherited: inherited, writer: writer)
                if !superseded.isEmpty { for dot in change.dots where refused[dot] == nil { refused[dot] = superseded } }
            }
            return ChangeResult(changeId: change.id, outcome: .rejected, reason: reason, recordInConflict: stored?.state.isInConflict ?? false)
        case .merge(let state, let grids, let outcome, let changed, _):
            seq += 1
            if changed { save(state, grids: grids) }
            return ChangeResult(changeId: change.id, outcome: ChangeOutcome(outcome), recordInConflict: state.isInConflict)
        }
    }

    /// Settles the conflict as ops would through the admin API; `nil` when the route would refuse.
    mutating func resolve(_ resolution: Resolution, id: ChangeID) -> Change? {
        guard let stored, stored.state.isInConflict else { return nil }
        let change: Change
        do {
            change = try stored.resolution(resolution, by: SyncEngine.singleInstanceReplica, id: id, note: EngineModel.opsNote)
        } catch {
            lastRefusal = error
            return nil
        }
        var state = stored.state
        state.apply(change)
        seq += 1
        save(state, grids: RecordRules.grids(of: state, fallback: stored.grids))
        return change
    }

    private mutating func save(_ state: RecordState, grids: [GridPath]) {
        let snapshot = DeleteSnapshot.kept(for: state, previous: stored?.state, previousSnapshot: stored?.beforeDelete)
        stored = StoredRecord(key: key, state: state, grids: grids, seq: seq, conflictSince: nil, beforeDelete: snapshot)
    }
}
