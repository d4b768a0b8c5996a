import FieldClient
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

/// The day's work orders (工单), about 300 a district: who reports which, which the worker
/// handles on the spot (巡办合一), which go through the command centre (巡办分离: accepted,
/// dispatched, handled by a department, verified on site by the worker next round), and which
/// race: the worker handles a dispatched case on site, offline, while the centre sends it
/// back. Each race is a workflow conflict the ledger predicts, and ops settle it.
actor CaseLoad {
    struct Order: Sendable, Hashable {
        let id: RecordID
        let terminal: Int
        let round: Int
        let urgency: Urgency
        let onSpot: Bool
        let races: Bool
        let assignee: Assignee
    }

    let orders: [Order]
    /// Orders each terminal is to verify on site in its next round: handled by a department,
    /// or settled to the worker's handled after a race.
    private var toVerify: [Int: [RecordID]] = [:]
    private(set) var racesPredicted = Set<RecordID>()
    private(set) var racesDetected = Set<RecordID>()
    private(set) var settledRaces = 0
    /// The server's clock the day ran within: every deadline must count from inside it.
    let started = Date()

    init(load: Scenario.WorkOrderLoad, terminals: [Hierarchy.Terminal], eligible: [Int], rounds: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed ^ 0x0_c45e)
        func roll() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        var orders: [Order] = []
        guard !eligible.isEmpty, rounds > 0 else { self.orders = []; return }
        for number in 0..<load.perDay {
            let terminal = eligible[number % eligible.count]
            let urgencyRoll = roll(), levelRoll = roll()
            let onSpot = roll() < load.onSpotShare
            let level: Assignee.Level = levelRoll < 0.5 ? .grid : levelRoll < 0.8 ? .community : .street
            orders.append(Order(
                id: RecordID("wo-\(terminals[terminal].worker)-\(number)")!, terminal: terminal, round: number % rounds,
                urgency: urgencyRoll < 0.2 ? .red : urgencyRoll < 0.6 ? .yellow : .green, onSpot: onSpot,
                races: !onSpot && roll() < load.concurrentShare,
                assignee: Assignee(level: level, department: level == .street && roll() < 0.5 ? "城管" : nil)))
        }
        self.orders = orders
    }

    /// What a terminal does with orders in a round: reports its new ones (closing the minor
    /// ones on the spot) and verifies, with the citizen's feedback, the ones handled since.
    func work(for terminal: Int, round: Int) -> (report: [Order], verify: [RecordID]) {
        let verify = toVerify.removeValue(forKey: terminal) ?? []
        return (orders.filter { $0.terminal == terminal && $0.round == round }, verify)
    }

    /// The command centre after a round's storm: accepts and dispatches the round's reports,
    /// departments handle most, and the racing ones go back to the centre while their worker
    /// handles them on site. Then everyone syncs, ops settle the races, everyone syncs again.
    func commandCentre(round: Int, simulation: Simulation, admin: AdminClient, skipping away: Set<Int>) async throws {
        let dispatched = orders.filter { $0.round == round && !$0.onSpot }
        guard !dispatched.isEmpty else { return }
        await simulation.report("the command centre accepts and dispatches \(dispatched.count) work orders")
        for order in dispatched {
            try await admin.ensureMoved(order: order.id, OrderMoveRequest(to: .accepted, reason: "受理"))
            try await admin.ensureMoved(order: order.id, OrderMoveRequest(to: .dispatched, reason: "分拨", assignee: order.assignee))
        }
        let terminals = await simulation.terminals
        for order in dispatched {
            if order.races {
                // The worker has the dispatched case (a sync on site), handles it with no signal,
                // and meanwhile the centre sends it back for re-dispatch.
                let terminal = terminals[order.terminal]
                try await terminal.syncRetrying()
                try await terminal.handleOnSite(order.id)
                try await admin.ensureMoved(order: order.id, OrderMoveRequest(to: .returned, reason: "改派"))
                racesPredicted.insert(order.id)
                await terminal.restIfIdle(simulation)
            } else {
                try await admin.ensureMoved(order: order.id, OrderMoveRequest(to: .handling, reason: "到场"))
                try await admin.ensureMoved(order: order.id, OrderMoveRequest(to: .handled, reason: "已处置"))
                toVerify[order.terminal, default: []].append(order.id)
            }
        }
        try await simulation.settle(skipping: away)
        let racing = dispatched.filter(\.races)
        guard !racing.isEmpty else { return }
        let listed = Set(try await admin.conflicts(ConflictFilter(kind: .workOrder)).conflicts.filter { $0.fields.contains(FieldPath("state")!) }.map(\.id))
        for order in racing where listed.contains(order.id) {
            racesDetected.insert(order.id)
            // The worker was there: ops keep the worker's handled, and the worker verifies next round.
            let detail = try await admin.conflict(RecordKey(kind: .workOrder, id: order.id))
            let worker = terminals[order.terminal].profile.worker
            guard let side = detail.sides.first(where: { $0.worker == worker }) else { continue }
            _ = try await admin.resolve(RecordKey(kind: .workOrder, id: order.id),
                                        ResolveRequest(expectedVersion: detail.summary.version, keep: side.replica, reason: "网格员已现场处置"))
            settledRaces += 1
            toVerify[order.terminal, default: []].append(order.id)
        }
        try await simulation.settle(skipping: away)
    }
}

extension SimTerminal {
    /// Reports the round's orders from this round's patrol finding, closing the minor ones on
    /// the spot, and verifies and closes the ones handled since the last round.
    func workOrders(report orders: [CaseLoad.Order], verify: [RecordID], round: Int, photos: PhotoLoad) async throws {
        let patrol = RecordID("pt-\(profile.worker)-r\(round)")!
        // Photos' sizes and bytes from the order ids, so that orders keep their seed's story.
        var random = SplitMix64(seed: (orders.first?.id.rawValue ?? "").utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
                                      ^ UInt64(index))
        for order in orders {
            // The finding's photo goes with the order reported from it: one blob, two records.
            let evidence = findingPhotos[round].map { photo in
                PhotoReference(id: RecordID("ev1")!, findingID: photo.findingID, uri: photo.uri, sha256: photo.sha256)
            }
            note(try await client.reportWorkOrder(
                id: order.id, grid: profile.grid, source: .finding(RecordID("f0")!, of: patrol), category: .sanitation,
                urgency: order.urgency, summary: "巡查发现问题", photos: evidence.map { [$0] } ?? []))
            if order.onSpot {
                let after = photos.workOrderShare > 0 && random.chance(photos.workOrderShare)
                    ? [try await client.takePhoto(PhotoLoad.bytes(seed: random.next(), count: photos.size(&random)))] : []
                note(try await client.handle(workOrder: order.id, notes: "当场处置", photos: after))
                note(try await client.verify(workOrder: order.id))
                note(try await client.recordFeedback(workOrder: order.id, CitizenFeedback(satisfaction: .satisfied)))
            }
        }
        for id in verify {
            note(try await client.verify(workOrder: id, reason: "现场确认"))
            note(try await client.recordFeedback(workOrder: id, CitizenFeedback(satisfaction: .basicallySatisfied)))
        }
    }

    /// A sync on site, tried again on a bad link (the day may inject faults), as a worker would.
    func syncRetrying() async throws {
        var failure: (any Error)?
        for _ in 0..<5 {
            do {
                _ = try await sync(settle: nil)
                return
            } catch {
                failure = error
            }
        }
        throw SimulationError("terminal \(index) could not sync on site: \(failure.map(String.init(describing:)) ?? "?")")
    }

    func handleOnSite(_ id: RecordID) async throws {
        note(try await client.handle(workOrder: id, notes: "现场处置"))
    }

    func restIfIdle(_ simulation: Simulation) async {
        if await simulation.restsIdleClients { rest() }
    }
}
