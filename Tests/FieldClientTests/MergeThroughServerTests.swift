import Foundation
import GridSyncAdmin
@testable import FieldClient
import GridSyncCore
import GridSyncProtocol
import Testing

@Suite("Two handsets through a real server")
struct MergeThroughServerTests {
    @Test("different fields merge; the same field conflicts; ops resolve it and both handsets converge")
    func mergeConflictResolve() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let worker = try await session.handset("worker", worker: "zhang.wei", grids: [LiveServer.gridA])
            let cadre = try await session.handset("cadre", worker: "li.cadre", grids: [LiveServer.gridA])
            let household = Sample.household("hh-1")
            try await worker.create(household)
            try await worker.sync()
            try await cadre.sync()
            #expect(try await cadre.record(Household.self, id: household.id)?.value == household)

            // Offline, different fields: both kept.
            try await worker.update(Household.self, id: household.id) { $0.notes = "独居老人" }
            try await cadre.update(Household.self, id: household.id) { $0.type = .rented }
            for _ in 0..<2 { try await worker.sync(); try await cadre.sync() }
            let merged = try #require(try await worker.record(Household.self, id: household.id)?.value)
            #expect(merged.notes == "独居老人" && merged.type == .rented)
            #expect(try await cadre.record(Household.self, id: household.id)?.value == merged)

            // Offline, the same field: a conflict both handsets show as under review.
            try await worker.update(Household.self, id: household.id) { $0.notes = "每周探访" }
            try await cadre.update(Household.self, id: household.id) { $0.notes = "需要助餐" }
            try await worker.sync()
            let cadreReport = try await cadre.sync()
            #expect(cadreReport.conflicts == 1)
            try await worker.sync()
            for handset in [worker, cadre] {
                let local = try #require(try await handset.record(Household.self, id: household.id))
                #expect(local.isInConflict)
                #expect(local.conflictingFields == [FieldPath("notes")!])
                #expect(Set(local.siblings.compactMap { $0.values[FieldPath("notes")!]?.value }) == [.string("每周探访"), .string("需要助餐")])
                #expect(try await handset.status().openConflicts == [household.key])
            }
            // A conflicted field waits for the command centre.
            await #expect(throws: FieldClientError.self) {
                try await worker.update(Household.self, id: household.id) { $0.notes = "抢先" }
            }

            let conflict = try await session.admin.conflicts().conflicts[0]
            let workerReplica = try #require(try await worker.identity?.replicaID)
            _ = try await session.admin.resolve(RecordKey(kind: .household, id: RecordID("hh-1")!),
                                                ResolveRequest(expectedVersion: conflict.version, keep: workerReplica))
            try await worker.sync()
            try await cadre.sync()
            let serverState = try #require(try await session.serverState(household.key))
            for handset in [worker, cadre] {
                let local = try #require(try await handset.record(Household.self, id: household.id))
                #expect(!local.isInConflict)
                #expect(local.value?.notes == "每周探访")
                #expect(try await handset.rowState(household.key) == serverState)
            }
        }
    }

    @Test("a clock 24 hours off either way changes no merge outcome")
    func clockSkew() async throws {
        var outcomes: [[String]] = []
        for skew in [-86_400.0, 0, 86_400] {
            let server = try await LiveServer()
            defer { server.cleanUp() }
            let result = ResultBox()
            try await server.run { session in
                let skewed = try await session.handset("skewed", worker: "a", grids: [LiveServer.gridA], now: { Date().addingTimeInterval(skew) })
                let other = try await session.handset("other", worker: "b", grids: [LiveServer.gridA])
                let household = Sample.household("hh-1")
                try await other.create(household)
                try await other.sync()
                try await skewed.sync()
                try await skewed.update(Household.self, id: household.id) { $0.notes = "skewed"; $0.type = .rented }
                try await other.update(Household.self, id: household.id) { $0.notes = "other" }
                try await skewed.create(Sample.patrol("pt-1", start: Sample.start.addingTimeInterval(skew)))
                let first = try await skewed.sync(), second = try await other.sync()
                try await skewed.sync()
                let conflicts = try await skewed.status().openConflicts.map(\.description)
                await result.set(["\(first.pushed)/\(first.conflicts)", "\(second.pushed)/\(second.conflicts)"] + conflicts)
            }
            outcomes.append(await result.value)
        }
        #expect(outcomes[0] == outcomes[1] && outcomes[1] == outcomes[2])
        #expect(outcomes[1].contains("household/hh-1"))
    }
}

actor ResultBox {
    var value: [String] = []
    func set(_ value: [String]) { self.value = value }
}

extension FieldClient {
    /// The local state of a record, for comparing with the server's.
    func rowState(_ key: RecordKey) throws -> RecordState? {
        try pool.read { db in try RecordRow.fetch(key, db, cache: nil)?.state }
    }
}
