import Foundation
@testable import FieldClient
import GridSyncCore
import GridSyncProtocol
import Testing

/// A deleted record's tombstone stays on the handset: it holds no grid of its own, yet it is
/// still in the handset's grid, so a late edit meets it and a re-creation counts on from it.
@Suite("Tombstones on the handset")
struct TombstoneTests {
    @Test("a synced delete keeps its tombstone, and re-creating the record is applied, not dropped as stale")
    func recreateAfterDelete() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let worker = try await session.handset("worker", worker: "zhang.wei", grids: [LiveServer.gridA])
            let household = Sample.household("hh-1")
            try await worker.create(household)
            try await worker.sync()
            try await worker.delete(Household.self, id: household.id)
            try await worker.sync()
            let tombstone = try #require(try await worker.rowState(household.key))
            #expect(tombstone.isDeleted)

            var again = household
            again.notes = "重新登记"
            let recreated = try await worker.create(again)
            let report = try await worker.sync()
            #expect(report.pushed == 1 && report.rejected == 0)
            let serverState = try #require(try await session.serverState(household.key))
            #expect(!serverState.isTombstoned && !serverState.isInConflict)
            let held = Set(serverState.entries.values.flatMap(\.keys))
            #expect(recreated.dots.allSatisfy(held.contains))
            #expect(serverState.agreedFields[FieldPath("notes")!] == .string("重新登记"))
            #expect(try await worker.record(Household.self, id: household.id)?.value == again)
        }
    }
}
