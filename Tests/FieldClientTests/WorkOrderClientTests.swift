import Foundation
import GridSyncAdmin
@testable import FieldClient
import GridSyncCore
import GridSyncProtocol
import Testing

/// Work orders on a handset against a real server: report from a finding, handle on the spot,
/// verify and close offline; illegal moves refused on the handset with the server's code; the
/// deadlines read on the server's clock even when the handset's is a day wrong.
@Suite("Work orders on the handset")
struct WorkOrderClientTests {
    @Test("a finding reported and handled on the spot is verified and closed offline, then synced; the deadlines follow the server's clock")
    func onTheSpot() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            // This handset's clock is a day slow.
            let handset = try await session.handset("worker", worker: "zhang.wei", grids: [LiveServer.gridA],
                                                    now: { Date().addingTimeInterval(-86_400) })
            let start = Date(timeIntervalSince1970: 1_795_000_000)
            let finding = Finding(id: RecordID("f1")!, category: .blockedFireExit, severity: .high,
                                  location: Coordinate(latitude: 22.52, longitude: 114.05), description: "消防通道堆放杂物",
                                  handledOnSpot: true, reportedAt: start)
            let patrol = Patrol(id: RecordID("pt-1")!, grid: LiveServer.gridA, worker: "zhang.wei", startedAt: start, findings: [finding])
            try await handset.create(patrol)
            let reported = try await handset.report(finding: finding, of: patrol, urgency: .red)
            let order = try #require(try await handset.record(WorkOrder.self, id: reported.record.id)?.value)
            #expect(order.source == .finding(finding.id, of: patrol.id) && order.category == .blockedFireExit && order.state == .reported)

            // Illegal on the handset, with the server's code: closing a reported case, deleting one.
            await #expect { try await handset.move(workOrder: order.id, to: .closed) } throws: {
                ($0 as? ValidationError)?.code == .illegalTransition && ($0 as? ValidationError)?.field == "state"
            }
            await #expect { try await handset.delete(WorkOrder.self, id: order.id) } throws: {
                ($0 as? ValidationError)?.code == .illegalTransition
            }
            // A state edited like any field is not a move either.
            await #expect { try await handset.update(WorkOrder.self, id: order.id) { $0.state = .handled } } throws: {
                ($0 as? ValidationError)?.code == .illegalTransition
            }

            // 巡办合一, all before any signal: handled, verified, closed with the citizen's word.
            try await handset.handle(workOrder: order.id, notes: "当场清理")
            try await handset.verify(workOrder: order.id)
            try await handset.recordFeedback(workOrder: order.id, CitizenFeedback(satisfaction: .satisfied))
            let before = Date()
            let report = try await handset.sync()
            #expect(report.rejected == 0)
            let local = try #require(try await handset.record(WorkOrder.self, id: order.id)?.value)
            #expect(local.state == .closed && local.actions.count == 4 && local.handlingNotes == "当场清理")

            // The deadlines came from the server's receipt, not from the handset's clock.
            let timing = try #require(try await handset.deadlines(workOrder: order.id))
            #expect(abs(timing.reportedAt.timeIntervalSince(before)) < 30)
            #expect(timing[.answer]?.metAt != nil && timing.late.isEmpty)
            let serverNow = try await handset.serverNow()
            #expect(abs(serverNow.timeIntervalSince(Date())) < 30, "the handset reads the server's clock, a day off its own")
        }
    }

    @Test("a move on a case the command centre moved meanwhile is a workflow conflict; the handset then waits for ops")
    func concurrentWithOps() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let handset = try await session.handset("worker", worker: "zhang.wei", grids: [LiveServer.gridA])
            let order = try await handset.reportWorkOrder(grid: LiveServer.gridA, source: WorkOrderSource(channel: .hotline, ticket: "12345-0042"),
                                                          category: .sanitation, urgency: .yellow, summary: "垃圾清运不及时").record
            try await handset.sync()
            // The worker fixes it offline while the command centre rejects it as a duplicate.
            try await handset.handle(workOrder: order.id, notes: "已清运")
            _ = try await session.admin.move(order: order.id, OrderMoveRequest(to: .rejected, reason: "重复"))
            let report = try await handset.sync()
            #expect(report.conflicts == 1)
            let local = try #require(try await handset.record(WorkOrder.self, id: order.id))
            #expect(local.isInConflict && local.conflictingFields == [FieldPath("state")!])
            await #expect(throws: FieldClientError.self) { try await handset.verify(workOrder: order.id) }
        }
    }
}
