import Foundation
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer

/// A random life of one work order: a worker reports it (or handles it on the spot), the
/// command centre accepts, dispatches, returns and rejects it live on the server, two more
/// terminals handle and verify it offline, one of them an independent client that pushes moves
/// a handset would refuse (bare state writes, forged `from`, missing `replaces`), and everyone
/// syncs at random. Every push is kept, so the same changes can be delivered again in another
/// order.
struct WorkflowHistory {
    static let workflow = WorkOrder.workflow
    static let ops = SyncEngine.singleInstanceReplica
    static let replicas = ["r-a", "r-b", "r-c"].map { ReplicaID($0)! }
    static let workers: [ReplicaID: String] = [replicas[0]: "w-1", replicas[1]: "w-2", replicas[2]: "w-3", ops: "ops"]
    static let states = WorkOrderState.allCases.map(\.rawValue)

    struct Push {
        let change: Change
        let by: ReplicaID
        let result: ChangeResult
    }

    struct Counts {
        var moves = 0, illegal = 0, refusedLocally = 0, workflowConflicts = 0, sameStateMerges = 0, resolutions = 0, closed = 0

        mutating func add(_ other: Counts) {
            moves += other.moves; illegal += other.illegal; refusedLocally += other.refusedLocally
            workflowConflicts += other.workflowConflicts; sameStateMerges += other.sameStateMerges
            resolutions += other.resolutions; closed += other.closed
        }
    }

    let key = RecordKey(kind: .workOrder, id: RecordID("wo-1")!)
    private(set) var engine: EngineModel
    private(set) var devices: [ModelDevice]
    private(set) var pushes: [Push] = []
    private(set) var violations: [String] = []
    private(set) var counts = Counts()
    private var random: SplitMix64
    private var nextID = 0

    init(seed: UInt64, length: Int = 30) {
        engine = EngineModel(key: key, workers: Self.workers)
        devices = [ModelDevice(replica: Self.replicas[0]), ModelDevice(replica: Self.replicas[1]),
                   ModelDevice(replica: Self.replicas[2], writesUnderReview: true)]
        random = SplitMix64(seed: seed)
        report()
        for _ in 0..<length { step() }
        for index in devices.indices { sync(index) }
        settle()
        for _ in 0..<2 { for index in devices.indices { sync(index) } }
        check(typed: true)
        if engine.stored?.state.agreedFields[Self.workflow.statePath] == .string("closed") { counts.closed += 1 }
    }

    private mutating func mintID() -> ChangeID {
        nextID += 1
        return ChangeID("c-\(nextID)")!
    }

    private func note(_ replica: ReplicaID) -> MoveNote {
        MoveNote(by: replica.rawValue, at: Date(timeIntervalSince1970: 1_795_000_000 + Double(nextID)))
    }

    private mutating func report() {
        let fields: [FieldPath: FieldValue] = [
            FieldPath("grid")!: "futian/shatou/community-03/grid-12", FieldPath("source")!: ["channel": "walkIn"],
            FieldPath("category")!: "sanitation", FieldPath("urgency")!: "red", FieldPath("summary")!: "楼道堆物",
            FieldPath("reporter")!: "李四", FieldPath("reportedAt")!: "2026-11-24T09:05:00.000Z",
        ]
        _ = devices[0].move(Self.workflow, to: "reported", extra: fields, id: mintID(), record: key)
        if random.chance(0.7) { sync(0) }
    }

    private mutating func step() {
        let roll = Double.random(in: 0..<1, using: &random)
        if roll < 0.2 { opsMove(); return }
        if roll < 0.25 { settle(); return }
        let index = Int.random(in: 0..<devices.count, using: &random)
        if roll < 0.5 { sync(index); return }
        if devices[index].local.isEmpty { devices[index].pull(engine.stored?.state ?? RecordState()); return }
        if roll < 0.6 { edit(index); return }
        deviceMove(index)
    }

    /// A target: mostly a state the terminal's view may move to, sometimes any state at all.
    private mutating func target(from state: RecordState) -> String {
        let current = Self.workflow.states(in: state)
        let legal = current.count == 1 ? Array(Self.workflow.transitions[current.first!] ?? []).sorted() : []
        if !legal.isEmpty && random.chance(0.75) { return legal[Int.random(in: 0..<legal.count, using: &random)] }
        return Self.states[Int.random(in: 0..<Self.states.count, using: &random)]
    }

    private mutating func deviceMove(_ index: Int) {
        let to = target(from: devices[index].local)
        let id = mintID()
        if devices[index].move(Self.workflow, to: to, extra: [:], id: id, record: key) != nil { return }
        counts.refusedLocally += 1
        guard devices[index].writesUnderReview else { return }
        // The independent client pushes what a handset would have refused.
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            _ = devices[index].write([Self.workflow.statePath: .string(to)], id: id, record: key)
        case 1:
            // A legal move's fields with the target swapped in: a forged move.
            let local = devices[index].local
            let legal = Self.workflow.states(in: local).count == 1
                ? Self.workflow.transitions[Self.workflow.states(in: local).first!]?.sorted().first : nil
            guard let legal, var fields = try? Self.workflow.move(in: local, to: legal, actionID: RecordID(id.rawValue)!,
                                                                  note: note(devices[index].replica), by: devices[index].replica) else { return }
            let actionPath = FieldPath("actions", element: id.rawValue)
            fields[Self.workflow.statePath] = .string(to)
            fields[actionPath] = fields[actionPath]!.setting("to", .string(to))
            _ = devices[index].write(fields, id: id, record: key)
        default:
            // A legal move that leaves out what it replaces.
            let local = devices[index].local
            guard let legal = Self.workflow.states(in: local).count == 1
                    ? Self.workflow.transitions[Self.workflow.states(in: local).first!]?.sorted().last : nil,
                  var fields = try? Self.workflow.move(in: local, to: legal, actionID: RecordID(id.rawValue)!,
                                                       note: note(devices[index].replica), by: devices[index].replica) else { return }
            let actionPath = FieldPath("actions", element: id.rawValue)
            fields[actionPath] = fields[actionPath]!.setting("replaces", .array([]))
            _ = devices[index].write(fields, id: id, record: key)
        }
    }

    private mutating func edit(_ index: Int) {
        let choices: [(FieldPath, [FieldValue])] = [
            (FieldPath("handlingNotes")!, ["已清理", "等待物业", .null]),
            (FieldPath("assignee")!, [["level": "community"], ["level": "street", "department": "城管"]]),
            (FieldPath("feedback")!, [["satisfaction": "satisfied"], ["satisfaction": "dissatisfied"]]),
            (FieldPath("urgency")!, ["red", "yellow"]),
        ]
        let (path, values) = choices[Int.random(in: 0..<choices.count, using: &random)]
        _ = devices[index].write([path: values[Int.random(in: 0..<values.count, using: &random)]], id: mintID(), record: key)
    }

    /// The command centre moves the order on the server as it stands, as the admin API does.
    private mutating func opsMove() {
        guard let stored = engine.stored, !stored.state.conflictingFields.contains(Self.workflow.statePath) else { return }
        let to = target(from: stored.state)
        let id = mintID()
        guard let fields = try? Self.workflow.move(in: stored.state, to: to, actionID: RecordID(id.rawValue)!, note: note(Self.ops), by: Self.ops)
        else { counts.refusedLocally += 1; return }
        var state = stored.state
        let change = state.write(fields, by: Self.ops, id: id, record: key)
        deliver(change, by: Self.ops)
    }

    /// Ops settle a workflow conflict by keeping one side, or a state every side may move to.
    private mutating func settle() {
        guard let stored = engine.stored, stored.state.conflictingFields.contains(Self.workflow.statePath) else { return }
        let sides = stored.state.siblings.filter { $0.values[Self.workflow.statePath] != nil }
        guard let side = sides.randomElement(using: &random) else { return }
        if let change = engine.resolve(.keep(side.replica), id: mintID()) {
            counts.resolutions += 1
            pushes.append(Push(change: change, by: Self.ops, result: ChangeResult(changeId: change.id, outcome: .applied, recordInConflict: false)))
            check()
        }
    }

    private mutating func sync(_ index: Int) {
        var results: [(Change, ChangeResult)] = []
        for change in devices[index].pending {
            results.append((change, deliver(change, by: devices[index].replica)))
        }
        devices[index].settle(results)
        devices[index].pull(engine.stored?.state ?? RecordState())
    }

    /// Pushes one change, predicting from the ledger whether a move must come out as a
    /// workflow conflict: it does when a state value it did not supersede survives beside it
    /// with another state, and merges when every survivor holds the same state.
    @discardableResult
    private mutating func deliver(_ change: Change, by replica: ReplicaID) -> ChangeResult {
        let before = engine.stored?.state ?? RecordState()
        let result = engine.push(change, by: replica)
        pushes.append(Push(change: change, by: replica, result: result))
        if let to = change.writes[Self.workflow.statePath]?.value {
            if result.outcome == .rejected {
                counts.illegal += 1
            } else {
                counts.moves += 1
                // A change that follows a refused one of its writer also replaces what that one
                // replaced (server step 6); the ledger predicts only the others.
                let superseded = Set(change.supersedes)
                guard superseded.allSatisfy(before.context.contains) else { check(); return result }
                let survivors = Set((before.entries[Self.workflow.statePath] ?? [:]).filter { !superseded.contains($0.key) }.values)
                if survivors.contains(where: { $0 != to }) {
                    counts.workflowConflicts += 1
                    if result.outcome != .conflict { violations.append("\(change.id) left \(survivors) beside \(to) but was \(result.outcome)") }
                } else if !survivors.isEmpty {
                    counts.sameStateMerges += 1
                    if engine.stored?.state.conflictingFields.contains(Self.workflow.statePath) == true {
                        violations.append("\(change.id) moved to the state beside it, \(to), but the state is contested")
                    }
                }
            }
        }
        check()
        return result
    }

    private mutating func check(typed: Bool = false) {
        guard let state = engine.stored?.state else { return }
        if let illegal = Self.workflow.firstIllegalMove(in: state) { violations.append(illegal) }
        // Reading the typed record is the slow part; the server's own rules cover every step.
        if typed && !state.isInConflict {
            do { try WorkOrder(id: key.id, fields: state.resolvedFields ?? [:]).validate() } catch {
                violations.append("a stored work order out of conflict does not read: \(error)")
            }
        }
    }
}
