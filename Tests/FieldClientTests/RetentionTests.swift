import Foundation
import GridSyncAdmin
@testable import FieldClient
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// Tombstones are purged once every terminal that could hold the record has pulled past the
/// delete, and no later: a terminal that comes back afterwards never brings the record back.
@Suite("Tombstone retention")
struct RetentionTests {
    static let everything = RetentionPolicy(minimumAge: .zero, silentLimit: .seconds(3_600))

    @Test("a tombstone is purged only once every terminal in scope has pulled past it, and the minimum age has passed")
    func purgeWaitsForEveryTerminal() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let worker = try await session.handset("worker", worker: "zhang.wei", grids: [LiveServer.gridA])
            let colleague = try await session.handset("colleague", worker: "li.na", grids: [LiveServer.gridA])
            let elsewhere = try await session.handset("elsewhere", worker: "wang.fang", grids: [LiveServer.elsewhere])
            let household = Sample.household("hh-gone")
            try await worker.create(household)
            try await worker.sync()
            try await colleague.sync()
            try await worker.delete(Household.self, id: household.id)
            try await worker.sync()
            try await worker.sync()
            try await elsewhere.sync()
            // The colleague has not pulled the delete: the tombstone waits for it.
            var report = try await server.engine.purgeTombstones(now: Date(), policy: Self.everything)
            #expect(report.purged.isEmpty && report.heldBack == 1)
            try await colleague.sync()
            #expect(try await colleague.rowState(household.key)?.isDeleted == true)
            // Pulled, but the cursor that proves it is only presented at the next pull.
            report = try await server.engine.purgeTombstones(now: Date(), policy: Self.everything)
            #expect(report.purged.isEmpty)
            try await colleague.sync()
            // Old enough? Not with the default 30 days.
            report = try await server.engine.purgeTombstones(now: Date(), policy: RetentionPolicy())
            #expect(report.purged.isEmpty && report.heldBack == 0)
            report = try await server.engine.purgeTombstones(now: Date(), policy: Self.everything)
            #expect(report.purged == [household.key] && report.rebaseDue.isEmpty)
            #expect(try await session.serverState(household.key) == nil)
            // The snapshot of personal data went with it: the record row is gone whole.
            #expect(try await server.engine.record(household.key) == nil)
        }
    }

    @Test("a terminal offline past the purge comes back: its edit is refused record_purged and parked, it rebases, and the record is gone everywhere")
    func offlineReturnDoesNotResurrect() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let worker = try await session.handset("worker", worker: "zhang.wei", grids: [LiveServer.gridA])
            let offline = try await session.handset("offline", worker: "li.na", grids: [LiveServer.gridA])
            let household = Sample.household("hh-late")
            let kept = Sample.household("hh-kept")
            try await worker.create(household)
            try await worker.create(kept)
            try await worker.sync()
            try await offline.sync()
            // The colleague goes into a basement for a long time, and edits the household there.
            _ = try await offline.update(Household.self, id: household.id) { $0.notes = "地下室里写的" }
            try await worker.delete(Household.self, id: household.id)
            try await worker.sync()
            try await worker.sync()
            try await Task.sleep(for: .seconds(1.5))
            try await worker.sync()
            // Silent longer than the limit: the offline handset no longer holds purging back.
            let report = try await server.engine.purgeTombstones(now: Date(), policy: RetentionPolicy(minimumAge: .zero, silentLimit: .seconds(1)))
            #expect(report.purged == [household.key])
            #expect(report.rebaseDue == [try #require(try await offline.identity).deviceID])
            let listed = try await session.admin.devices().devices
            #expect(listed.filter { $0.rebaseDue == true }.map(\.deviceId) == report.rebaseDue, "ops see which terminal will rebase")

            let back = try await offline.sync()
            #expect(back.rejected == 1 && back.rebased)
            let parked = try await offline.status().rejected
            #expect(parked.map(\.code) == [RejectReason.recordPurgedCode])
            #expect(try await session.serverState(household.key) == nil, "the late edit did not bring the record back")
            #expect(try await offline.rowState(household.key) == nil, "the rebase dropped the purged record from the handset")
            #expect(try await offline.record(Household.self, id: kept.id)?.value == kept)
            // Re-creating it is refused the same way; the rebase happened once.
            try await offline.create(household)
            let again = try await offline.sync()
            #expect(again.rejected == 1 && !again.rebased)
            #expect(try await session.serverState(household.key) == nil)
            let offlineID = try #require(try await offline.identity).deviceID
            #expect(try await server.engine.devices().first { $0.id == offlineID }?.rebaseDueAt == nil, "the rebase is done")
        }
    }
}
