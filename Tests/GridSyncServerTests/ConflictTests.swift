import Foundation
import GridSyncAdmin
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

@Suite("Conflicts")
struct ConflictTests {
    /// A worker and a sunk-down cadre edit the same household's notes offline.
    static func makeConflict(_ client: Client) async throws -> (worker: EnrollResponse, cadre: EnrollResponse, key: RecordKey) {
        let workerDevice = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
        let cadreDevice = try await client.enrollDevice(worker: "li.cadre", grids: [TestServer.gridA])
        var worker = Terminal(replica: workerDevice.replicaId), cadre = Terminal(replica: cadreDevice.replicaId)
        let household = Sample.household("hh-1")
        _ = try await client.push([try worker.create(household)], as: workerDevice)
        cadre.receive(worker.states[household.key]!, for: household.key)
        _ = try await client.push([try worker.write([Sample.notes: .string("独居老人")], to: household.key)], as: workerDevice)
        _ = try await client.push([try cadre.write([Sample.notes: .string("需要助餐")], to: household.key)], as: cadreDevice)
        return (workerDevice, cadreDevice, household.key)
    }

    @Test("a conflict is listed, shown side by side, resolved, and the resolution reaches devices")
    func listShowResolve() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let (workerDevice, _, key) = try await Self.makeConflict(client)
            let list = try await client.admin.conflicts(ConflictFilter(under: TestServer.street))
            #expect(list.conflicts.count == 1)
            let summary = try #require(list.conflicts.first)
            #expect(summary.fields == [Sample.notes])
            #expect(summary.workers == ["li.cadre", "zhang.wei"])
            #expect(try await client.admin.conflicts(ConflictFilter(under: GridPath("futian/xiangmihu")!)).conflicts.isEmpty)

            let detail = try await client.admin.conflict(key)
            let notes = try #require(detail.fields.first { $0.field == Sample.notes })
            #expect(notes.status == .conflict)
            #expect(Set(notes.candidates?.values.map { $0 } ?? []) == [.string("独居老人"), .string("需要助餐")])
            #expect(detail.fields.contains { $0.field == FieldPath("address")! && $0.status == .merged })
            #expect(detail.sides.allSatisfy { $0.clock != nil && $0.worker != nil })

            let record = try await client.admin.resolve(key, ResolveRequest(expectedVersion: summary.version, keep: workerDevice.replicaId,
                                                                            reason: "以网格员为准")).record
            #expect(!record.inConflict)
            #expect(record.state.agreedFields[Sample.notes] == .string("独居老人"))

            let pulled = try await client.pullAll(as: workerDevice).records[key]
            #expect(pulled?.inConflict == false)
            #expect(pulled?.state == record.state)
            let audit = try await client.admin.audit()
            #expect(audit.entries.contains { $0.action == "conflicts.resolve" && $0.detail == "以网格员为准" && $0.outcome == "ok" })
        }
    }

    @Test("resolving against a conflict that changed since it was read is refused with 409")
    func staleResolve() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let (workerDevice, _, key) = try await Self.makeConflict(client)
            let version = try await client.admin.conflicts().conflicts[0].version
            // Another edit lands after ops read the conflict.
            var worker = Terminal(replica: workerDevice.replicaId)
            worker.receive(try await client.pullAll(as: workerDevice).records[key]!.state, for: key)
            _ = try await client.push([try worker.write([FieldPath("type")!: .string("rented")], to: key)], as: workerDevice)

            let stale = await refusal { try await client.admin.resolve(key, ResolveRequest(expectedVersion: version, set: [Sample.notes: .string("合并")])) }
            #expect(stale?.status == 409 && stale?.kind == .changed)
            #expect(stale?.code == .conflictChanged)
            let undecided = await refusal {
                try await client.admin.resolve(key, ResolveRequest(expectedVersion: version + 1, set: [FieldPath("type")!: .string("resident")]))
            }
            #expect(undecided?.status == 422)
            let both = await refusal {
                try await client.admin.resolve(key, ResolveRequest(expectedVersion: version + 1, keep: workerDevice.replicaId, delete: true))
            }
            #expect(both?.status == 400)
        }
    }
}

extension ConflictTests {
    @Test("overruling a contested delete brings back the whole record, not just the concurrent edit")
    func overruleDelete() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let workerDevice = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            let cadreDevice = try await client.enrollDevice(worker: "li.cadre", grids: [TestServer.gridA])
            var worker = Terminal(replica: workerDevice.replicaId), cadre = Terminal(replica: cadreDevice.replicaId)
            let household = Sample.household("hh-1")
            _ = try await client.push([try worker.create(household)], as: workerDevice)
            cadre.receive(worker.states[household.key]!, for: household.key)
            _ = try await client.push([worker.delete(household.key)], as: workerDevice)
            let edit = try await client.push([try cadre.write([Sample.notes: .string("仍有人居住")], to: household.key)], as: cadreDevice)
            #expect(try edit.decode(PushResponse.self).results[0].outcome == .conflict)

            let summary = try await client.admin.conflicts().conflicts[0]
            #expect(summary.deleteConflict)
            let state = try await client.admin.resolve(household.key, ResolveRequest(expectedVersion: summary.version, keep: cadreDevice.replicaId)).record.state
            #expect(!state.isInConflict && !state.isDeleted)
            let restored = try Household(id: household.id, fields: try #require(state.resolvedFields))
            #expect(restored.address == household.address && restored.members == household.members && restored.grid == household.grid)
            #expect(restored.notes == "仍有人居住")
        }
    }
}
