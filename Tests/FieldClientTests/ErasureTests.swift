import Foundation
import GridSyncTestSupport
import GridSyncAdmin
@testable import FieldClient
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import GridSyncSimulation
import Logging
import Testing

/// Erasure on request (PIPL) reaches everything: the server's record in every sibling and its
/// before-delete snapshot, a terminal that was online and one that was offline when it was
/// issued, their outboxes, kept acknowledged changes and parked rejections. Afterwards not one
/// canary value is left in any file the server or a handset wrote, nor in the server's log.
@Suite("Erasure")
struct ErasureTests {
    static let name = "金丝雀王五", deletedName = "金丝雀赵六"
    static let phone = "13977712345", idNumber = "11010519491231002X"
    static let onlineNote = "CANARY-NOTE-ONLINE", offlineNote = "CANARY-NOTE-OFFLINE"
    static let pendingNote = "CANARY-NOTE-PENDING", parkedNote = "CANARY-PARKED"
    static let canaries = [name, deletedName, phone, idNumber, onlineNote, offlineNote, pendingNote, parkedNote]

    @Test("an erasure reaches the server, an online and an offline terminal; late changes are refused erased; no file or log holds a canary")
    func erasureReachesEverything() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        let logs = LogCapture()
        var logger = Logger(label: "gridsync-server", factory: { _ in logs.handler() })
        logger.logLevel = .trace
        try await server.run(logger: logger) { session in
            let online = try await session.handset("online", worker: "zhang.wei", grids: [LiveServer.gridA])
            let offline = try await session.handset("offline", worker: "li.na", grids: [LiveServer.gridA])
            let elsewhere = try await session.handset("elsewhere", worker: "wang.fang", grids: [LiveServer.elsewhere])
            var household = Sample.household("hh-erase")
            household.members = [Member(id: RecordID("m1")!, name: Self.name, relation: .head, idNumber: Self.idNumber, phone: Self.phone)]
            var deleted = Sample.household("hh-erase-deleted")
            deleted.members = [Member(id: RecordID("m1")!, name: Self.deletedName, relation: .head)]
            let created = try await online.create(household)
            try await online.create(deleted)
            try await online.sync()
            try await offline.sync()
            // Two sides of one field, both kept as siblings; and a delete that keeps a snapshot.
            _ = try await online.update(Household.self, id: household.id) { $0.notes = Self.onlineNote }
            _ = try await offline.update(Household.self, id: household.id) { $0.notes = Self.offlineNote }
            try await online.delete(Household.self, id: deleted.id)
            try await online.sync()
            try await offline.sync()
            try await online.sync()
            let contested = try #require(try await server.engine.record(household.key))
            #expect(contested.state.isInConflict)
            #expect(try await server.engine.record(deleted.key)?.beforeDelete != nil)

            // The colleague goes underground: an edit waits in its outbox, and a refused change
            // is parked there for a person to read.
            _ = try await offline.update(Household.self, id: household.id) { $0.members[0].name = Self.pendingNote }
            let replica = try #require(try await offline.identity).replicaID
            var scratch = RecordState()
            let refused = scratch.write([FieldPath("notes")!: .string(Self.parkedNote)], by: replica, id: ChangeID("parked-1")!, record: household.key)
            try await offline.pool.write { db in
                try Outbox.park(refused, reason: RejectReason(code: "out_of_scope", message: "refused"), at: Date(), db, cache: RowCache())
            }
            #expect(try await offline.status().rejected.count == 1)
            // Positive control: before the erasure, the canaries are where the check looks.
            #expect(!CanarySearch.hits(Self.canaries, under: server.directory, logs: logs.text).isEmpty)

            let report = try await session.admin.erase(household.id, reason: "申请编号 2026-118")
            let onlineID = try #require(try await online.identity).deviceID
            let offlineID = try #require(try await offline.identity).deviceID
            #expect(Set(report.terminals.map(\.deviceId)) == [onlineID, offlineID], "the terminal elsewhere never held it")
            #expect(report.pending.count == 2)
            _ = try await session.admin.erase(deleted.id, reason: "申请编号 2026-119")
            let again = try await session.admin.erase(household.id, reason: "again")
            #expect(again.version == report.version, "erasing twice returns the first erasure")
            let audit = try await server.engine.auditEntries(since: nil, limit: 1_000).filter { $0.action == "households.erase" }
            #expect(audit.map(\.outcome) == ["ok", "ok", "already_erased"], "every erase request is on the record")
            #expect(await refusal { try await session.admin.erase(RecordID("hh-never")!, reason: "x") }?.status == 404)

            // On the server: a bare delete, no snapshot, in every sibling.
            let erased = try #require(try await server.engine.record(household.key))
            #expect(erased.state.entries.keys.map(\.rawValue) == ["_deleted"] && erased.beforeDelete == nil)
            #expect(try await server.engine.record(deleted.key)?.beforeDelete == nil)
            let shown = try await session.admin.household(household.id)
            #expect(shown.erased && shown.fields.isEmpty)

            // The terminal online gets it by pull; its kept acknowledged changes go too.
            let first = try await online.sync()
            #expect(first.erased == 2)
            #expect(try await online.rowState(household.key) == nil)
            #expect(try await online.rowState(deleted.key) == nil)
            // The one offline comes back: its pending edit is answered `erased` and dropped, not parked.
            let back = try await offline.sync()
            #expect(back.erased >= 1 && back.rejected == 0)
            let status = try await offline.status()
            #expect(status.rejected.isEmpty && status.pendingChanges == 0)
            #expect(try await offline.rowState(household.key) == nil)
            try await online.sync()
            try await offline.sync()
            try await elsewhere.sync()
            let list = try await session.admin.erasures()
            #expect(list.erasures.count == 2 && list.erasures.allSatisfy { $0.pending.isEmpty }, "both terminals confirmed by pulling past it")

            // A late change, even a re-creation, is refused `erased` and never brings anything back.
            var late = RecordState()
            let recreate = late.write([FieldPath("grid")!: .string(LiveServer.gridA.description), FieldPath("type")!: "resident",
                                       FieldPath("address")!: ["building": "1", "unit": "1", "room": "1"],
                                       FieldPath("members/m1")!: ["id": "m1", "name": .string(Self.name), "relation": "head", "tags": []]],
                                      by: try #require(try await online.identity).replicaID, id: ChangeID("late-1")!, record: household.key)
            let answer = try await session.device(online, .post, "/v1/push", json: PushRequest(changes: [recreate]))
            #expect(try answer.decode(PushResponse.self).results.first?.reason?.code == RejectReason.erasedCode)
            #expect(try await server.engine.record(household.key)?.state.entries.keys.map(\.rawValue) == ["_deleted"])
            // The change that created it, accepted then, sent again (as a rebase would): not told it stands.
            let resent = try await session.device(online, .post, "/v1/push", json: PushRequest(changes: [created]))
            #expect(try resent.decode(PushResponse.self).results.first?.reason?.code == RejectReason.erasedCode)
            try await online.create(household)
            let recreated = try await online.sync()
            #expect(recreated.erased == 1 && recreated.rejected == 0)
            #expect(try await online.rowState(household.key) == nil)
        }
        // The server has stopped; every file it and the handsets wrote is read as it stands.
        #expect(CanarySearch.hits(Self.canaries, under: server.directory, logs: logs.text).isEmpty)
    }

    @Test("a terminal away while its household was erased and then purged confirms the erasure when it comes back")
    func confirmedAfterPurge() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let online = try await session.handset("online", worker: "zhang.wei", grids: [LiveServer.gridA])
            let away = try await session.handset("away", worker: "li.na", grids: [LiveServer.gridA])
            let household = Sample.household("hh-away-erased"), other = Sample.household("hh-other")
            try await online.create(household)
            try await online.create(other)
            try await online.sync()
            try await away.sync()
            // Kept for a restore on the handset away: sent again by its rebase, and dropped.
            _ = try await away.update(Household.self, id: other.id) { $0.notes = "走访前记下" }
            try await away.sync()
            _ = try await away.update(Household.self, id: household.id) { $0.notes = "离线补记" }
            let erased = try await session.admin.erase(household.id, reason: "申请 2026-120")
            try await online.sync()
            try await online.delete(Household.self, id: other.id)
            try await online.sync()
            try await online.sync()
            try await Task.sleep(for: .seconds(1.5))
            try await online.sync()
            let purge = try await server.engine.purgeTombstones(now: Date(), policy: RetentionPolicy(minimumAge: .zero, silentLimit: .seconds(1)))
            #expect(Set(purge.purged) == [household.key, other.key], "the bare delete goes like any tombstone; the erasure stays")
            #expect(try await session.admin.erasures().erasures.first?.pending.count == 1)

            let back = try await away.sync()
            #expect(back.rebased && back.erased == 1)
            #expect(try await away.status().rejected.isEmpty, "the requeued acknowledged edit of the purged record is dropped, not parked")
            #expect(try await away.rowState(household.key) == nil)
            #expect(try await away.rowState(other.key) == nil, "the purged record is not live again on the handset")
            try await away.sync()
            let list = try await session.admin.erasures()
            #expect(list.erasures.first { $0.id == erased.id }?.pending.isEmpty == true,
                    "its last pull's cursor stands for every position, the purged erasure's included")
        }
    }
}
