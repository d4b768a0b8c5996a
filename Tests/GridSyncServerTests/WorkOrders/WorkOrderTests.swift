import Foundation
import GridSyncAdmin
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// Work orders through a real server over HTTP: the workflow's refusals, and the protocol
/// versions a fleet speaks while it updates.
@Suite("Work orders")
struct WorkOrderTests {
    @Test("an illegal move is refused illegal_transition and the order keeps its state; a legal one is applied")
    func illegalMove() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "李四", grids: [TestServer.gridA])
            var terminal = Terminal(replica: device.replicaId)
            let key = RecordKey(kind: .workOrder, id: RecordID("wo-1")!)
            let report = try terminal.move(key, to: .reported, extra: Sample.workOrderReport())
            // Built by hand, as a client that skipped the local check would: reported → closed.
            var skipping = terminal.states[key]!
            let statePath = WorkOrder.workflow.statePath
            var fields = try WorkOrder.workflow.move(in: skipping, to: "handled", actionID: RecordID("a-bad")!,
                                                     note: MoveNote(by: "李四", at: Date()), by: device.replicaId)
            fields[statePath] = "closed"
            fields[FieldPath("actions", element: "a-bad")] = fields[FieldPath("actions", element: "a-bad")]!.setting("to", "closed")
            let illegal = skipping.write(fields, by: device.replicaId, id: ChangeID("c-bad")!, record: key)
            #expect(throws: ValidationError.self) { try terminal.move(key, to: .closed) }
            let handled = try terminal.move(key, to: .handled, reason: "当场清理")
            let results = try await client.push([report, illegal, handled], as: device).decode(PushResponse.self).results
            #expect(results.map(\.outcome) == [.applied, .rejected, .applied])
            #expect(results[1].reason?.code == "illegal_transition" && results[1].reason?.field == "state")
            let stored = try #require(try await server.engine.record(key))
            #expect(stored.state.agreedFields[statePath] == "handled")
        }
    }

    @Test("pull carries the server's deadlines, counted from its receipt of the report, and its clock; the handset's clock never counts")
    func deadlinesInPull() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "李四", grids: [TestServer.gridA])
            var terminal = Terminal(replica: device.replicaId)
            let key = RecordKey(kind: .workOrder, id: RecordID("wo-4")!)
            // The handset's clock says 2026-11-18 (Sample's note time); the server's is now.
            let before = Date()
            let pushed = try await client.push([try terminal.move(key, to: .reported, extra: Sample.workOrderReport(urgency: .red))], as: device)
            #expect(try pushed.decode(PushResponse.self).results.first?.outcome == .applied)
            let after = Date()
            let page = try await client.pull(as: device)
            let timing = try #require(page.records.first?.timing)
            #expect(timing.reportedAt >= before.addingTimeInterval(-0.001) && timing.reportedAt <= after)
            #expect(timing[.onSite]?.dueBy == timing.reportedAt.addingTimeInterval(3_600))
            #expect(timing.overdue(at: try #require(page.serverTime)).isEmpty)
            #expect(try #require(page.serverTime) >= timing.reportedAt)
            // The household kinds carry none.
            _ = try await client.push([try terminal.create(Sample.household("hh-4"))], as: device)
            let next = try await client.pull(as: device, cursor: page.cursor)
            #expect(next.records.map(\.kind) == [.household] && next.records[0].timing == nil)
        }
    }

    @Test("a version-1 handset is never sent work orders and may not push them; updated, it pulls from the start and gets them")
    func protocolVersions() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let worker = try await client.enrollDevice(worker: "李四", grids: [TestServer.gridA])
            let old = try await client.enrollDevice(worker: "王五", grids: [TestServer.gridA])
            var terminal = Terminal(replica: worker.replicaId)
            let order = RecordKey(kind: .workOrder, id: RecordID("wo-2")!)
            let household = Sample.household("hh-2")
            let pushed = try await client.push([try terminal.move(order, to: .reported, extra: Sample.workOrderReport()),
                                                try terminal.create(household)], as: worker)
            #expect(try pushed.decode(PushResponse.self).results.map(\.outcome) == [.applied, .applied])

            // Version 1: the household only, and a work order pushed is not a change it could mean.
            let v1 = try await client.send(.get, "/v1/pull", token: old.token, version: "1").decode(PullResponse.self)
            #expect(v1.records.map(\.key) == [household.key])
            var oldTerminal = Terminal(replica: old.replicaId)
            let refused = try await client.send(.post, "/v1/push", token: old.token,
                                                body: try WireCoding.encode(PushRequest(changes: [try oldTerminal.move(
                                                    RecordKey(kind: .workOrder, id: RecordID("wo-3")!), to: .reported, extra: Sample.workOrderReport())])),
                                                version: "1")
            #expect(refused.status == 400 && refused.error?.code == .invalidRequest && refused.error?.field == "changes[0].kind")

            // The same handset updated: its version-1 cursor starts over, and the order arrives.
            let v2 = try await client.send(.get, "/v1/pull?cursor=\(v1.cursor)", token: old.token).decode(PullResponse.self)
            #expect(Set(v2.records.map(\.key)) == [household.key, order])
            let caughtUp = try await client.send(.get, "/v1/pull?cursor=\(v2.cursor)", token: old.token).decode(PullResponse.self)
            #expect(caughtUp.records.isEmpty)
        }
    }
}

extension FieldValue {
    /// The object with one member replaced.
    func setting(_ key: String, _ value: FieldValue) -> FieldValue {
        guard var object = objectValue else { return self }
        object[key] = value
        return .object(object)
    }
}
