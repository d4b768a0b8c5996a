import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer

/// A random day of one record through the server engine: four terminals (two of them one
/// worker's handsets, one an older client that leaves superseding to the server, one that writes
/// to records under review) create, edit, delete, revive, push, get rejected and pull, while ops
/// resolve conflicts. Every step is recorded so it can be replayed through a real store.
struct ServerHistory {
    enum Step {
        case push(Change, by: ReplicaID, ChangeResult)
        case resolve(Resolution, Change)
    }

    static let replicas = ["r-a", "r-b", "r-c", "r-d"].map { ReplicaID($0)! }
    static let workers: [ReplicaID: String] = [replicas[0]: "w-1", replicas[1]: "w-1", replicas[2]: "w-2", replicas[3]: "w-3"]

    let samples: KindSamples
    let key: RecordKey
    private(set) var engine: EngineModel
    private(set) var devices: [ModelDevice]
    private(set) var steps: [Step] = []
    private(set) var violations: [String] = []
    /// What the history exercised, so a test can tell it covered what it claims.
    private(set) var counts = Counts()

    struct Counts {
        var rejections = 0, revivals = 0, refusedRevivals = 0, deletes = 0, resolutions = 0, conflicts = 0
        var resolveAttempts = 0
        var refusals: [String: Int] = [:]
        var rejectionCodes: [String: Int] = [:]

        mutating func add(_ other: Counts) {
            rejections += other.rejections; revivals += other.revivals; refusedRevivals += other.refusedRevivals
            deletes += other.deletes; resolutions += other.resolutions; conflicts += other.conflicts
            resolveAttempts += other.resolveAttempts
            refusals.merge(other.refusals, uniquingKeysWith: +)
            rejectionCodes.merge(other.rejectionCodes, uniquingKeysWith: +)
        }
    }
    private var random: SplitMix64
    private var nextID = 0

    init(samples: KindSamples, seed: UInt64, length: Int = 24) {
        self.samples = samples
        key = RecordKey(kind: samples.kind, id: RecordID("rec-1")!)
        engine = EngineModel(key: key, workers: Self.workers)
        devices = [
            ModelDevice(replica: Self.replicas[0]), ModelDevice(replica: Self.replicas[1]),
            ModelDevice(replica: Self.replicas[2], relaysOnServer: true), ModelDevice(replica: Self.replicas[3], writesUnderReview: true),
        ]
        random = SplitMix64(seed: seed)
        for _ in 0..<length { step() }
        // The end of the day: everyone pushes, the command centre settles what is left, and
        // everyone syncs twice, so every terminal has everything.
        for index in devices.indices { sync(index) }
        resolve()
        for _ in 0..<2 { for index in devices.indices { sync(index) } }
    }

    private mutating func mintID() -> ChangeID {
        nextID += 1
        return ChangeID("c-\(nextID)")!
    }

    private mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }

    private mutating func step() {
        let index = Int.random(in: 0..<devices.count, using: &random)
        let roll = Double.random(in: 0..<1, using: &random)
        if roll < 0.25 { sync(index); return }
        if roll < 0.3 { devices[index].pull(engine.stored?.state ?? RecordState()); return }
        if roll < 0.5, engine.stored?.state.isInConflict == true { resolve(); return }
        edit(index)
    }

    private mutating func edit(_ index: Int) {
        let local = devices[index].local
        if local.isEmpty {
            // Only the first terminal creates; the others learn of the record by pulling.
            if index == 0, engine.stored == nil { submit(0, fields(all: true)) }
            else { devices[index].pull(engine.stored?.state ?? RecordState()) }
            return
        }
        if local.isTombstoned {
            // A revival: every required property, now and then one short of it.
            var revival = fields(all: true)
            if random.chance(0.2), let dropped = samples.required.randomElement(using: &random) { revival[dropped] = nil }
            submit(index, revival)
            return
        }
        if random.chance(0.08) {
            _ = devices[index].delete(id: mintID(), record: key)
            return
        }
        var written: [FieldPath: FieldValue] = [:]
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let path = pick(samples.paths)
            written[path] = pick(samples.candidates[path]!)
        }
        submit(index, written)
    }

    /// Queues a write on a terminal. For a kind with a workflow, a write of the state is a move
    /// (the state with its action); an illegal one the handset refuses, but a terminal that
    /// writes under review pushes it bare now and then, for the server to refuse.
    private mutating func submit(_ index: Int, _ fields: [FieldPath: FieldValue]) {
        guard let workflow = key.kind.schema.workflow, let to = fields[workflow.statePath]?.stringValue else {
            _ = devices[index].write(fields, id: mintID(), record: key)
            return
        }
        let id = mintID()
        var extra = fields
        extra[workflow.statePath] = nil
        if devices[index].move(workflow, to: to, extra: extra, id: id, record: key) == nil, devices[index].writesUnderReview, random.chance(0.8) {
            _ = devices[index].write(fields, id: id, record: key)
        }
    }

    /// Required properties with valid values, and each optional one now and then.
    private mutating func fields(all: Bool) -> [FieldPath: FieldValue] {
        var fields: [FieldPath: FieldValue] = [:]
        for path in samples.required { fields[path] = samples.candidates[path]!.first! }
        for path in samples.paths where !samples.required.contains(path) && random.chance(0.3) {
            fields[path] = pick(samples.candidates[path]!)
        }
        return fields
    }

    private mutating func sync(_ index: Int) {
        let outbox = devices[index].pending
        if !outbox.isEmpty {
            var results: [(Change, ChangeResult)] = []
            for change in outbox {
                let before = engine.stored?.state ?? RecordState()
                let wasTombstoned = before.isTombstoned
                let result = engine.push(change, by: devices[index].replica)
                let isTombstoned = engine.stored?.state.isTombstoned ?? false
                switch result.outcome {
                case .rejected:
                    counts.rejections += 1
                    counts.rejectionCodes[result.reason?.code ?? "", default: 0] += 1
                    if result.reason?.code == "reused_dot" { violations.append("step \(steps.count + 1): \(change.id) reused a dot") }
                    if wasTombstoned && !change.isDelete && result.reason?.code == "incomplete_record" { counts.refusedRevivals += 1 }
                case .conflict: counts.conflicts += 1
                default: break
                }
                if result.outcome != .rejected && wasTombstoned && !isTombstoned { counts.revivals += 1 }
                if result.outcome != .rejected && change.isDelete { counts.deletes += 1 }
                // An edit replaces values of the fields it writes, and of no other field.
                if !change.isDelete, let after = engine.stored?.state {
                    for path in before.entries.keys where path != .deleted && change.writes[path] == nil && after.entries[path] == nil {
                        violations.append("step \(steps.count + 1): \(change.id) emptied \(path), which it does not write")
                    }
                }
                results.append((change, result))
                steps.append(.push(change, by: devices[index].replica, result))
                check()
            }
            devices[index].settle(results)
        }
        devices[index].pull(engine.stored?.state ?? RecordState())
    }

    private mutating func resolve() {
        guard let state = engine.stored?.state, state.isInConflict else { return }
        let resolution: Resolution
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            guard let side = state.siblings.randomElement(using: &random) else { return }
            resolution = .keep(side.replica)
        case 1:
            var values: [FieldPath: FieldValue] = [:]
            for path in AdminConflictRoutes.contestedFields(of: engine.stored!) { values[path] = samples.candidates[path]?.first ?? .null }
            if state.isTombstoned { for path in samples.required where random.chance(0.5) { values[path] = samples.candidates[path]!.first! } }
            resolution = .set(values)
        default:
            resolution = .delete
        }
        counts.resolveAttempts += 1
        if let change = engine.resolve(resolution, id: mintID()) {
            counts.resolutions += 1
            steps.append(.resolve(resolution, change))
            check()
        } else if let refusal = engine.lastRefusal {
            counts.refusals[refusal.code.rawValue, default: 0] += 1
        }
    }

    /// The invariants, after every step the server takes.
    private mutating func check() {
        guard let stored = engine.stored else { return }
        let state = stored.state
        if !state.isTombstoned, let missing = state.missingRequired(of: key.kind) {
            violations.append("step \(steps.count): a live record without \(missing)")
        }
        if !state.isTombstoned, !state.isInConflict {
            do {
                try TypedRecord.validate(key.kind, fields: state.resolvedFields ?? [:])
            } catch {
                violations.append("step \(steps.count): a live record out of conflict that does not read as \(key.kind.rawValue): \(error)")
            }
        }
        if let workflow = key.kind.schema.workflow, let illegal = workflow.firstIllegalMove(in: state) {
            violations.append("step \(steps.count): \(illegal)")
        }
        for (path, values) in state.entries {
            let byReplica = Dictionary(grouping: values, by: { $0.key.replica })
            if let replica = byReplica.first(where: { Set($0.value.map(\.value)).count > 1 })?.key {
                violations.append("step \(steps.count): \(replica) is in conflict with itself at \(path)")
            }
        }
    }
}

/// The typed record of each kind, built and checked outside the engine's own code.
enum TypedRecord {
    static func validate(_ kind: RecordKind, fields: [FieldPath: FieldValue]) throws {
        let id = RecordID("rec-1")!
        switch kind {
        case .household: try Household(id: id, fields: fields).validate()
        case .householdVisit: try HouseholdVisit(id: id, fields: fields).validate()
        case .patrol: try Patrol(id: id, fields: fields).validate()
        case .visitLog: try VisitLog(id: id, fields: fields).validate()
        case .workOrder: try WorkOrder(id: id, fields: fields).validate()
        }
    }
}
