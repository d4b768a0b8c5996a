import Foundation
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// `gridsync orders` against a live server whose clock the test sets, with terminals pushing
/// over HTTP: the figures are checked against a count made by hand.
@Suite("gridsync orders, end to end")
struct OrdersCLITests {
    static let grid = GridPath("futian/shatou/community-03/grid-12")!
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    /// The server's clock, moved by the test.
    final class Clock: Sendable {
        private let seconds = Mutex<Double>(0)
        func set(minutes: Double) { seconds.withLock { $0 = minutes * 60 } }
        var now: Date { OrdersCLITests.t0.addingTimeInterval(seconds.withLock { $0 }) }
    }

    /// A terminal speaking HTTP to the fixture's server.
    struct Handset {
        let client: ServerConnection
        let enrolled: EnrollResponse
        /// The handset's copy of each order.
        var states: [RecordKey: RecordState] = [:]
        var counter = 0

        static func enrol(_ client: ServerConnection, worker: String) async throws -> Handset {
            Handset(client: client, enrolled: try await client.enrollDevice(worker: worker, grids: [OrdersCLITests.grid]))
        }

        /// Moves the order locally and pushes the move; returns the outcome.
        @discardableResult
        mutating func move(_ id: String, to: WorkOrderState, urgency: Urgency = .red) async throws -> ChangeOutcome {
            let key = RecordKey(kind: .workOrder, id: RecordID(id)!)
            let extra = to == .reported ? OrdersCLITests.report(urgency: urgency) : [:]
            return try await push(try local(key, to: to, extra: extra))
        }

        /// The move as the handset queues it, checked locally as `FieldClient` checks it.
        mutating func local(_ key: RecordKey, to: WorkOrderState, extra: [FieldPath: FieldValue] = [:]) throws -> Change {
            counter += 1
            let id = ChangeID("\(enrolled.replicaId)-\(counter)")!
            var state = states[key] ?? RecordState()
            let fields = try WorkOrder.workflow.move(in: state, to: to.rawValue, actionID: RecordID(id.rawValue)!,
                                                     note: MoveNote(by: enrolled.worker, at: Date()), extra: extra, by: enrolled.replicaId)
            let change = state.write(fields, by: enrolled.replicaId, id: id, record: key)
            states[key] = state
            return change
        }

        func push(_ change: Change) async throws -> ChangeOutcome {
            let response = try await client.push([change], as: enrolled).decode(PushResponse.self)
            return response.results[0].outcome
        }

        /// Takes in the server's copy of the order, as a pull would.
        mutating func receive(_ id: String, from engine: SyncEngineReader) async throws {
            let key = RecordKey(kind: .workOrder, id: RecordID(id)!)
            states[key, default: RecordState()].merge(try await engine(key))
        }

    }

    typealias SyncEngineReader = @Sendable (RecordKey) async throws -> RecordState

    static func report(urgency: Urgency) -> [FieldPath: FieldValue] {
        [FieldPath("grid")!: .string(grid.description), FieldPath("source")!: ["channel": "walkIn"],
         FieldPath("category")!: "sanitation", FieldPath("urgency")!: .string(urgency.rawValue), FieldPath("summary")!: "楼道堆物",
         FieldPath("reporter")!: "李四", FieldPath("reportedAt")!: "2026-11-24T09:05:00.000Z"]
    }

    @Test("an overdue red order is listed first; an illegal move is refused; stats match a hand count")
    func listMoveAndCount() async throws {
        let fixture = try await LiveFixture()
        defer { fixture.cleanUp() }
        let clock = Clock()
        try await fixture.run(now: { clock.now }) { cli, client in
            var worker = try await Handset.enrol(client, worker: "李四")
            // t0: A (red) and D (red) reported, B (yellow) reported, C (green) reported.
            for (id, urgency) in [("wo-a", Urgency.red), ("wo-b", .yellow), ("wo-c", .green), ("wo-d", .red)] {
                #expect(try await worker.move(id, to: .reported, urgency: urgency) == .applied)
            }
            // +5m: the command centre rejects D. +10m: C handled on the spot, verified and closed by the worker.
            clock.set(minutes: 5)
            #expect(try await cli.run("orders reject wo-d --reason 重复上报").status == 0)
            clock.set(minutes: 10)
            for state in [WorkOrderState.handled, .verified, .closed] { #expect(try await worker.move("wo-c", to: state) == .applied) }
            // +30m accept B, +90m dispatch it to the community; the worker handles and verifies it; +3h closed.
            clock.set(minutes: 30)
            #expect(try await cli.run("orders accept wo-b").status == 0)
            clock.set(minutes: 90)
            let dispatch = try await cli.run("orders dispatch wo-b --level community --reason 社区协调")
            #expect(dispatch.status == 0, "\(dispatch.errors)")
            try await worker.receive("wo-b") { try #require(try await fixture.engine.record($0)).state }
            clock.set(minutes: 120)
            for state in [WorkOrderState.handling, .handled, .verified] { #expect(try await worker.move("wo-b", to: state) == .applied) }
            clock.set(minutes: 180)
            #expect(try await cli.run("orders close wo-b --reason 已回访").status == 0)

            // An illegal move through the CLI: A is reported, it cannot be closed.
            let illegal = try await cli.run("orders close wo-a")
            #expect(illegal.status == 7 && illegal.errors.contains("reported cannot move to closed"), "\(illegal.errors)")

            // +2h on, A is overdue (accept, dispatch, on site) and listed first; --overdue lists only it.
            let overdue = try await cli.run("orders list --overdue --urgency red")
            #expect(overdue.status == 0)
            #expect(overdue.output.contains("wo-a") && overdue.output.contains("OVERDUE accept,dispatch,onSite"), "\(overdue.output)")
            #expect(!overdue.output.contains("wo-d") && !overdue.output.contains("wo-b"))
            let all = try await cli.run("orders list --json")
            let list = try WireCoding.decode(OrderList.self, from: Data(all.output.utf8))
            #expect(list.orders.first?.id.rawValue == "wo-a" && list.orders.count == 4)

            // By hand: 4 orders, A open; closed B and C, rejected D; closure 2 of the 3 valid;
            // resolved at community (B) and grid (C, on the spot); red overdue: A; nobody late.
            // Timed where a move took the step: accepted only B, at 30m; dispatched only B, at 90m;
            // on site C (handled on the spot) at 10m and B (handling) at 2h → 65m; answered D
            // (rejected) 5m, C 10m, B 3h → 10m.
            let stats = try WireCoding.decode(OrderStats.self, from: Data(try await cli.run("orders stats --json").output.utf8))
            #expect(stats.total == 4 && stats.open == 1)
            #expect(stats.byState == ["reported": 1, "closed": 2, "rejected": 1])
            #expect(stats.closureRate == 2.0 / 3.0)
            #expect(stats.resolvedAt == ["community": 0.5, "grid": 0.5])
            #expect(stats.overdueByUrgency == ["red": 1] && stats.lateByUrgency.isEmpty)
            #expect(stats.medianSecondsToStep == ["accept": 1_800, "dispatch": 5_400, "onSite": 3_900, "answer": 600])
            #expect(stats.byCategory == ["sanitation": 4] && stats.byReporter == ["李四": 4])
            #expect(stats.byCommunity == ["futian/shatou/community-03": 4])
            let text = try await cli.run("orders stats --street futian/shatou")
            #expect(text.output.contains("closure rate 66.7%") && text.output.contains("overdue now by colour: red 1"), "\(text.output)")

            let audit = try await cli.run("audit --since 2020-01-01")
            #expect(audit.output.contains("orders.move") && audit.output.contains("orders.stats") && audit.output.contains("已回访"))
        }
    }

    @Test("a handset's move concurrent with the command centre's is a workflow conflict, settled through the CLI")
    func concurrentMoves() async throws {
        let fixture = try await LiveFixture()
        defer { fixture.cleanUp() }
        let clock = Clock()
        try await fixture.run(now: { clock.now }) { cli, client in
            var worker = try await Handset.enrol(client, worker: "李四")
            #expect(try await worker.move("wo-e", to: .reported) == .applied)
            clock.set(minutes: 5)
            #expect(try await cli.run("orders accept wo-e").status == 0)
            clock.set(minutes: 10)
            #expect(try await cli.run("orders dispatch wo-e --level grid").status == 0)
            try await worker.receive("wo-e") { try #require(try await fixture.engine.record($0)).state }
            // Offline in a basement, the worker fixes it; meanwhile the centre takes it back.
            let handled = try worker.local(RecordKey(kind: .workOrder, id: RecordID("wo-e")!), to: .handled)
            clock.set(minutes: 20)
            #expect(try await cli.run("orders return wo-e --reason 改派").status == 0)
            clock.set(minutes: 30)
            #expect(try await worker.push(handled) == .conflict)
            clock.set(minutes: 40)

            let conflicts = try await cli.run("conflicts list --kind workOrder")
            #expect(conflicts.output.contains("workOrder/wo-e") && conflicts.output.contains("state"), "\(conflicts.output)")
            let refused = try await cli.run("orders accept wo-e")
            #expect(refused.status == 5 && refused.errors.contains("settle the workflow conflict"), "\(refused.errors)")
            #expect(try await cli.run("conflicts show workOrder/wo-e").status == 0)
            let settled = try await cli.run("conflicts resolve workOrder/wo-e --keep 李四 --reason 已现场处置")
            #expect(settled.status == 0, "\(settled.errors)")

            let show = try await cli.run("orders show wo-e")
            #expect(show.output.contains("wo-e  red  handled"), "\(show.output)")
            #expect(show.output.contains("ops:bootstrap-admin") && show.output.contains("已现场处置") && show.output.contains("returned"))
            let detail = try WireCoding.decode(OrderDetail.self, from: Data(try await cli.run("orders show wo-e --json").output.utf8))
            #expect(detail.timeline.map(\.to) == [.reported, .accepted, .dispatched, .returned, .handled, .handled])
        }
    }
}
