import Foundation
@testable import FieldClient
import GRDB
import GridSyncCore
import Synchronization
import Testing

/// Local edits start from cached rows and commit asynchronously, so a sync can land between an
/// edit and its commit: the edit must then run again on the new row, and nothing of either
/// may be lost. A rolled-back transaction must leave nothing of itself in the cache.
@Suite("Row cache")
struct RowCacheTests {
    final class Counter: Sendable { let value = Mutex(0) }

    @Test("an edit whose record changes before its commit runs again on the new record; both changes survive")
    func editRacesSync() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let handset = try await session.handset("a", worker: "zhang.wei", grids: [LiveServer.gridA])
            let household = Sample.household("hh-race")
            try await handset.create(household)
            _ = try await handset.update(Household.self, id: household.id) { $0.notes = "warm the cache" }
            let key = household.key

            // A sync's transaction holds the writer, and changes the record when let go.
            let release = DispatchSemaphore(value: 0)
            let landing = Task.detached { [pool = handset.pool, rows = handset.rows] in
                try await pool.write { db in
                    release.wait()
                    var row = try RecordRow.fetch(key, db, cache: rows)!
                    var other = row.state
                    let change = other.write([FieldPath("type")!: "rented"], by: ReplicaID("other-handset")!, id: ChangeID("c-other-1")!, record: key)
                    row.serverState = (row.serverState ?? RecordState()).merged(with: RecordState(change))
                    row.state.merge(RecordState(change))
                    try row.save(db, cache: rows)
                }
            }
            try await Task.sleep(for: .milliseconds(50))

            let edits = Counter()
            let editing = Task {
                try await handset.update(Household.self, id: household.id) { value in
                    edits.value.withLock { $0 += 1 }
                    value.notes = "独居老人，每周上门一次"
                }
            }
            // The edit has run once on the cached row and now waits for the writer.
            for _ in 0..<500 where edits.value.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(2)) }
            #expect(edits.value.withLock { $0 } == 1)
            release.signal()
            try await landing.value
            #expect(try await editing.value != nil)

            #expect(edits.value.withLock { $0 } == 2, "the edit ran again on the changed record")
            let state = try #require(try await handset.recordState(key))
            #expect(state.agreedFields[FieldPath("type")!] == "rented")
            #expect(state.agreedFields[FieldPath("notes")!] == "独居老人，每周上门一次")
            let local = try await handset.record(Household.self, id: household.id)?.value
            #expect(local?.type == .rented && local?.notes == "独居老人，每周上门一次")
        }
    }

    @Test("a transaction that rolls back leaves nothing of itself in the cache")
    func rollback() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let handset = try await session.handset("a", worker: "zhang.wei", grids: [LiveServer.gridA])
            let household = Sample.household("hh-rollback")
            try await handset.create(household)
            struct Abandon: Error {}
            await #expect(throws: Abandon.self) {
                try await handset.pool.write { [rows = handset.rows] db in
                    var row = try RecordRow.fetch(household.key, db, cache: rows)!
                    row.state.merge(RecordState(try { var s = row.state; return s.write([FieldPath("notes")!: "never committed"], by: ReplicaID("ghost")!, id: ChangeID("c-ghost")!, record: household.key) }()))
                    try row.save(db, cache: rows)
                    throw Abandon()
                }
            }
            #expect(handset.rows.entry(household.key) == nil)
            _ = try await handset.update(Household.self, id: household.id) { $0.notes = "committed" }
            let state = try #require(try await handset.recordState(household.key))
            #expect(state.agreedFields[FieldPath("notes")!] == "committed")
            #expect(!state.entries.values.contains { $0.keys.contains { $0.replica == ReplicaID("ghost")! } })
        }
    }
}
