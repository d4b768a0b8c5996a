import Foundation
import GridSyncAdmin
@testable import FieldClient
import GridSyncCore
import GridSyncProtocol
import Testing

/// What happens around a change the server refuses: the worker's later edits of the same field
/// still replace his older value, his counters are never reused, and a record under review for a
/// delete conflict waits for the command centre.
@Suite("After a rejection")
struct RejectionFollowUpTests {
    static let endedAt = FieldPath("endedAt")!

    /// Another handset appends track point `id` first, so this handset's own append of it, with
    /// another position, is refused `immutable_element` by the server.
    static func point(_ id: String, latitude: Double) -> TrackPoint {
        TrackPoint(id: RecordID(id)!, position: Coordinate(latitude: latitude, longitude: 114.05), recordedAt: Sample.start.addingTimeInterval(60))
    }

    @Test("an edit after a refused edit of the same field replaces the older value: no conflict with oneself")
    func followsRejection() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let worker = try await session.handset("worker", worker: "zhang.wei", grids: [LiveServer.gridA])
            let other = try await session.handset("other", worker: "li.si", grids: [LiveServer.gridA])
            var patrol = Sample.patrol("pt-1")
            patrol.endedAt = Sample.start.addingTimeInterval(3_600)
            try await worker.create(patrol)
            try await worker.sync()
            try await other.sync()
            try await other.update(Patrol.self, id: patrol.id) { $0.trackPoints.append(Self.point("p9", latitude: 22.60)) }
            try await other.sync()

            // Offline, not knowing of p9: one edit that the server will refuse, then another.
            let refused = try #require(try await worker.update(Patrol.self, id: patrol.id) {
                $0.trackPoints.append(Self.point("p9", latitude: 22.61))
                $0.endedAt = Sample.start.addingTimeInterval(7_200)
            })
            let followUp = try #require(try await worker.update(Patrol.self, id: patrol.id) { $0.endedAt = Sample.start.addingTimeInterval(9_000) })
            let report = try await worker.sync()
            #expect(report.rejected == 1 && report.conflicts == 0)
            let status = try await worker.status()
            #expect(status.rejected.map(\.change.id) == [refused.id] && status.rejected.first?.code == "immutable_element")
            #expect(status.openConflicts.isEmpty)

            let serverState = try #require(try await session.serverState(patrol.key))
            #expect(!serverState.isInConflict)
            #expect(serverState.entries[Self.endedAt]?.keys.map { $0 } == [followUp.writes[Self.endedAt]!.dot])
            #expect(try await worker.rowState(patrol.key)?.entries == serverState.entries)

            // The refused change's counters stay used, even when it was the newest change.
            let refusedAgain = try #require(try await worker.update(Patrol.self, id: patrol.id) {
                $0.trackPoints.append(Self.point("p10", latitude: 22.70))
            })
            try await other.update(Patrol.self, id: patrol.id) { $0.trackPoints.append(Self.point("p10", latitude: 22.71)) }
            try await other.sync()
            #expect(try await worker.sync().rejected == 1)
            let next = try #require(try await worker.update(Patrol.self, id: patrol.id) { $0.endedAt = Sample.start.addingTimeInterval(9_600) })
            let replica = try #require(try await worker.identity?.replicaID)
            #expect(next.dots.allSatisfy { dot in refusedAgain.dots.allSatisfy { $0.replica != replica || $0.counter < dot.counter } })
            try await worker.sync()
            #expect(try await session.serverState(patrol.key)?.entries[Self.endedAt]?.count == 1)
        }
    }

    @Test("a record in a delete conflict cannot be edited on the handset until the command centre decides")
    func deleteConflictUnderReview() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let worker = try await session.handset("worker", worker: "zhang.wei", grids: [LiveServer.gridA])
            let cadre = try await session.handset("cadre", worker: "li.cadre", grids: [LiveServer.gridA])
            let household = Sample.household("hh-1")
            try await worker.create(household)
            try await worker.sync()
            try await cadre.sync()
            try await worker.delete(Household.self, id: household.id)
            try await cadre.update(Household.self, id: household.id) { $0.notes = "还住着" }
            try await worker.sync()
            #expect(try await cadre.sync().conflicts == 1)
            await #expect(throws: FieldClientError.self) {
                try await cadre.update(Household.self, id: household.id) { $0.notes = "确实还住着" }
            }
            // Ops keep the cadre's side: the whole record comes back, with the note.
            let conflict = try await session.admin.conflicts().conflicts[0]
            let cadreReplica = try #require(try await cadre.identity?.replicaID)
            _ = try await session.admin.resolve(RecordKey(kind: .household, id: RecordID("hh-1")!),
                                                ResolveRequest(expectedVersion: conflict.version, keep: cadreReplica))
            for handset in [worker, cadre] {
                try await handset.sync()
                let local = try #require(try await handset.record(Household.self, id: household.id)?.value)
                #expect(local.notes == "还住着" && local.members == household.members && local.address == household.address)
            }
        }
    }
}
