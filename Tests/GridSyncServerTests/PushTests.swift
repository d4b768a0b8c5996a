import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

@Suite("Push")
struct PushTests {
    @Test("every outcome: applied, merged, stale, conflict and rejected")
    func outcomes() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let workerDevice = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            let cadreDevice = try await client.enrollDevice(worker: "li.cadre", grids: [TestServer.gridA])
            var worker = Terminal(replica: workerDevice.replicaId)
            var cadre = Terminal(replica: cadreDevice.replicaId)
            let household = Sample.household("hh-1")

            let create = try worker.create(household)
            let created = try await client.push([create], as: workerDevice).decode(PushResponse.self)
            #expect(created.results.map(\.outcome) == [.applied])

            cadre.receive(worker.states[household.key]!, for: household.key)
            let workerNotes = try worker.write([Sample.notes: .string("独居")], to: household.key)
            let cadreMember = try cadre.write([Sample.phoneMember: try FieldValueCoding.encode(
                Member(id: RecordID("m1")!, name: "王秀英", relation: .head, phone: "13900139000"))], to: household.key)
            let cadreNotes = try cadre.write([Sample.notes: .string("需助餐")], to: household.key)
            let first = try await client.push([workerNotes], as: workerDevice).decode(PushResponse.self).results
            let results = first + (try await client.push([cadreMember, cadreNotes], as: cadreDevice).decode(PushResponse.self).results)
            #expect(results.map(\.outcome) == [.applied, .merged, .conflict])
            #expect(results.last?.recordInConflict == true)

            // Re-sent under a new id, the same dots are already known: stale.
            let copy = Change(id: ChangeID("copy-1")!, record: workerNotes.record, clock: workerNotes.clock,
                              supersedes: workerNotes.supersedes, writes: workerNotes.writes)
            #expect(try await client.push([copy], as: workerDevice).decode(PushResponse.self).results.map(\.outcome) == [.stale])

            let outside = try worker.create(Sample.household("hh-2", grid: TestServer.otherStreet))
            let rejected = try await client.push([outside], as: workerDevice).decode(PushResponse.self).results[0]
            #expect(rejected.outcome == .rejected)
            #expect(rejected.reason?.code == "out_of_scope")
        }
    }

    @Test("re-sending a change id returns the first result and writes nothing twice")
    func idempotentRepush() async throws {
        let server = try await TestServer(store: .sqlite)
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            var terminal = Terminal(replica: device.replicaId)
            let batch = [try terminal.create(Sample.household("hh-1")), try terminal.create(Sample.patrol("pt-1"))]
            let first = try await client.push(batch, as: device).decode(PushResponse.self)
            let again = try await client.push(batch, as: device).decode(PushResponse.self)
            #expect(first == again)
            #expect(first.results.map(\.outcome) == [.applied, .applied])
        }
        let counts = try await server.database().read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM change_log")!, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM record")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM applied_change")!)
        }
        #expect(counts == (2, 2, 2))
    }

    @Test("a bad value is rejected for that change alone, naming the field but not the value")
    func perChangeRejection() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            var terminal = Terminal(replica: device.replicaId)
            var household = Sample.household("hh-1")
            household.members[0].phone = "12345"
            let bad = try terminal.create(household)
            let good = try terminal.create(Sample.patrol("pt-1"))
            let reply = try await client.push([bad, good], as: device)
            #expect(reply.status == 200)
            let results = try reply.decode(PushResponse.self).results
            #expect(results.map(\.outcome) == [.rejected, .applied])
            #expect(results[0].reason?.code == "malformed_phone")
            #expect(results[0].reason?.field == "members/m1.phone")
            #expect(!String(decoding: reply.body, as: UTF8.self).contains("12345"))
        }
    }

    @Test("moving a record out of one's grid is refused: both old and new grid must be in scope")
    func moveOutOfScope() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            var terminal = Terminal(replica: device.replicaId)
            let household = Sample.household("hh-1")
            _ = try await client.push([try terminal.create(household)], as: device)
            let move = try terminal.write([FieldPath("grid")!: .string(TestServer.otherStreet.description)], to: household.key)
            let result = try await client.push([move], as: device).decode(PushResponse.self).results[0]
            #expect(result.reason?.code == "out_of_scope")
            let other = try await client.enrollDevice(worker: "wang.other", grids: [TestServer.otherStreet])
            var intruder = Terminal(replica: other.replicaId)
            intruder.receive(terminal.states[household.key]!, for: household.key)
            let pull = try intruder.write([FieldPath("grid")!: .string(TestServer.otherStreet.description)], to: household.key)
            #expect(try await client.push([pull], as: other).decode(PushResponse.self).results[0].reason?.code == "out_of_scope")
        }
    }

    @Test("a new record must carry every required field, and cross-field rules hold on the merged record")
    func recordRules() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            var terminal = Terminal(replica: device.replicaId)
            let key = RecordKey(kind: .household, id: RecordID("hh-9")!)
            let partial = try terminal.write([Sample.notes: .string("x"), FieldPath("grid")!: .string(TestServer.gridA.description)], to: key)
            #expect(try await client.push([partial], as: device).decode(PushResponse.self).results[0].reason?.code == "incomplete_record")

            let patrol = Sample.patrol("pt-1")
            _ = try await client.push([try terminal.create(patrol)], as: device)
            let early = try terminal.write([FieldPath("endedAt")!: .string("2020-01-01T00:00:00.000Z")], to: patrol.key)
            #expect(try await client.push([early], as: device).decode(PushResponse.self).results[0].reason?.code == "end_before_start")

            let rewrite = try terminal.write([FieldPath("trackPoints/p1")!: try FieldValueCoding.encode(
                TrackPoint(id: RecordID("p1")!, position: Coordinate(latitude: 1, longitude: 1), recordedAt: Date()))], to: patrol.key)
            #expect(try await client.push([rewrite], as: device).decode(PushResponse.self).results[0].reason?.code == "immutable_element")
        }
    }
}
