import Foundation
import GridSyncAdmin
import GRDB
@testable import FieldClient
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
@testable import GridSyncSQLite
import Testing

@Suite("Scope and device lifecycle")
struct ScopeAndDeviceTests {
    @Test("re-scoping fetches the new grid and purges the old one, keeping unsent work until it is settled")
    func rescoping() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let supervisor = try await session.handset("sup", worker: "sup", grids: [LiveServer.gridA, LiveServer.gridB])
            try await supervisor.create(Sample.household("a-1", grid: LiveServer.gridA))
            try await supervisor.create(Sample.household("a-2", grid: LiveServer.gridA))
            try await supervisor.create(Sample.household("b-1", grid: LiveServer.gridB))
            try await supervisor.sync()

            let mover = try await session.handset("mover", worker: "mover", grids: [LiveServer.gridA])
            try await mover.sync()
            #expect(try await mover.records(Household.self).map(\.key.id.rawValue) == ["a-1", "a-2"])
            try await mover.update(Household.self, id: RecordID("a-1")!) { $0.notes = "unsent" }

            // The worker moves to grid B; the pending edit to a-1 is still on the handset.
            let hierarchy = try await session.admin.hierarchy()
            let assignments = hierarchy.assignments.filter { $0.worker != "mover" } + [Assignment(worker: "mover", grids: [LiveServer.gridB])]
            try await session.admin.replaceHierarchy(GridHierarchy(grids: hierarchy.grids, assignments: assignments))

            // A pull page that reports the move purges a-2 but keeps a-1 while its edit is unsent.
            let report = try await mover.pullOnly()
            #expect(report.purgedRecords == 1)
            #expect(Set(try await mover.records(Household.self).map(\.key.id.rawValue)) == ["a-1", "b-1"])
            #expect(try await mover.status().pendingChanges == 1)

            // Sending it now is out of scope: parked with its reason, and the record goes.
            try await mover.sync()
            #expect(try await mover.status().rejected.map(\.code) == ["out_of_scope"])
            #expect(try await mover.records(Household.self).map(\.key.id.rawValue) == ["b-1"])
        }
    }

    @Test("a swapped handset imports the old outbox, enrols afresh, pulls its whole scope and sends the work once")
    func reinstallWithExport() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let old = try await session.handset("old", worker: "w", grids: [LiveServer.gridA])
            try await old.create(Sample.household("hh-1"))
            try await old.sync()
            try await old.create(Sample.household("hh-2"))
            try await old.update(Household.self, id: RecordID("hh-1")!) { $0.notes = "走访记录" }
            // The first of these two reached the server, but the handset never heard back.
            let lossy = FaultInjectingTransport(wrapping: URLSessionTransport(baseURL: session.baseURL), script: [.dropResponse])
            let dying = try session.openHandset("old", transport: lossy, retry: RetryPolicy(maxAttempts: 1))
            await #expect(throws: (any Error).self) { try await dying.sync() }
            let export = try await old.exportOutbox()

            let fresh = try await session.handset("new", worker: "w", grids: [LiveServer.gridA])
            #expect(try await fresh.identity?.replicaID != old.identity?.replicaID)
            #expect(try await fresh.importOutbox(export) == 2)
            #expect(try await fresh.importOutbox(export) == 0, "importing twice adds nothing")
            #expect(try await fresh.record(Household.self, id: RecordID("hh-2")!)?.value != nil, "imported work shows at once")
            try await fresh.sync()
            #expect(try await fresh.status().pendingChanges == 0)
            let households = try await fresh.records(Household.self)
            #expect(households.map(\.key.id.rawValue) == ["hh-1", "hh-2"])
            #expect(households.first?.value?.notes == "走访记录")
            let applied = try await session.server.store.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM change_log WHERE outcome IN ('applied', 'merged')")!
            }
            #expect(applied == 3, "create, create, edit: each once")
        }
    }

    @Test("photos not yet uploaded travel with the export: one whose record was delivered and one whose record was not; a damaged photo refuses the import")
    func reinstallCarriesPhotos() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let old = try await session.handset("old", worker: "w", grids: [LiveServer.gridA])
            // Its record reached the server; the photo never left the handset.
            let delivered = try await PhotoTests.patrolWithPhoto(old, id: "pt-1", bytes: Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }))
            // Neither the record nor the photo left.
            let pendingPhoto = try await old.takePhoto(Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }))
            var patrol = Sample.patrol("pt-2")
            patrol.photos = [pendingPhoto]
            try await old.create(patrol)
            let export = try await old.exportOutbox()

            let fresh = try await session.handset("new", worker: "w", grids: [LiveServer.gridA])
            var damaged = try WireCoding.decode(OutboxExport.self, from: export)
            damaged.photos?[0].bytes[10] ^= 0xFF
            await #expect(throws: FieldClientError.self) { try await fresh.importOutbox(try WireCoding.encode(damaged)) }
            #expect(try await fresh.status().pendingChanges == 0, "a damaged export imports nothing")

            #expect(try await fresh.importOutbox(export) == 1)
            #expect(try await fresh.importOutbox(export) == 0, "importing twice adds nothing")
            try await fresh.sync()
            let uploaded = try await fresh.uploadPhotos()
            #expect(uploaded.uploaded == 2)
            for photo in [delivered, pendingPhoto] {
                let digest = try #require(photo.sha256.flatMap(BlobDigest.init))
                #expect(try await server.blobs().blob(digest)?.size != nil, "\(photo.sha256 ?? "") is on the server")
            }
            #expect(try await fresh.status().photosPending == 0)
        }
    }

    @Test("a revoked handset is told so, keeps its work, and says what to do")
    func revoked() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let handset = try await session.handset("w", worker: "w", grids: [LiveServer.gridA])
            let device = try #require(try await handset.identity?.deviceID)
            _ = try await session.admin.revoke(device: device)
            try await handset.create(Sample.patrol("pt-1"))
            await #expect(throws: FieldClientError.self) { try await handset.sync() }
            let status = try await handset.status()
            #expect(status.pendingChanges == 1)
            #expect(status.lastError?.contains("ask an admin") == true)
        }
    }

    @Test("queries by grid, household, worker and day, and observation as an async sequence")
    func queriesAndObservation() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let handset = try await session.handset("w", worker: "zhang.wei", grids: [GridPath("futian/shatou/community-03")!])
            try await handset.create(Sample.household("hh-1"))
            try await handset.create(Sample.household("hh-2", grid: LiveServer.gridB))
            try await handset.create(Sample.patrol("pt-1"))
            try await handset.create(HouseholdVisit(id: RecordID("hv-1")!, grid: LiveServer.gridA, householdID: RecordID("hh-1")!,
                                                    visitor: "zhang.wei", visitedAt: Sample.start, outcome: .notAtHome))
            #expect(try await handset.records(Household.self, RecordQuery(grid: LiveServer.gridB)).map(\.key.id.rawValue) == ["hh-2"])
            #expect(try await handset.records(Household.self, RecordQuery(grid: GridPath("futian/shatou")!)).count == 2)
            #expect(try await handset.records(HouseholdVisit.self, RecordQuery(householdID: RecordID("hh-1")!)).count == 1)
            #expect(try await handset.records(Patrol.self, RecordQuery(worker: "zhang.wei", day: CalendarDay("2026-11-18"))).count == 1)

            var updates = handset.observe(Patrol.self).makeAsyncIterator()
            #expect(try await updates.next()?.count == 1)
            try await handset.update(Patrol.self, id: RecordID("pt-1")!) { patrol in
                patrol.trackPoints.append(TrackPoint(id: RecordID("p1")!, position: Coordinate(latitude: 22.53, longitude: 114.06), recordedAt: Sample.start))
            }
            // An observation may repeat a value before the new one; the new one must come.
            var counts: [Int] = []
            while counts.last != 2, counts.count < 3, let value = try await updates.next() {
                counts.append(value.first?.value?.trackPoints.count ?? 0)
            }
            #expect(counts.last == 2)
        }
    }
}

extension FieldClient {
    /// Pulls without pushing, to look at the moment between a scope change and the next push.
    func pullOnly() async throws -> SyncReport {
        var report = SyncReport()
        try await pull(try requireIdentity(), report: &report)
        return report
    }
}
