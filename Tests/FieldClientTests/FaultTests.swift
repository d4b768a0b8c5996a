import Foundation
import GRDB
@testable import FieldClient
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
@testable import GridSyncSQLite
import Testing

@Suite("Faults")
struct FaultTests {
    /// Each fault is hit with retries off, so the sync dies where the fault lands, as a killed
    /// app would. The handset is then re-opened from its file and syncs again.
    @Test("killed mid-push, after the server committed but before the ack, and mid-pull: nothing lost or doubled",
          arguments: [
            [FaultInjectingTransport.Fault.dropRequest],          // mid-push: the request never arrives
            [.dropResponse],                                      // the server committed; the ack is lost
            [nil, .dropResponse],                                 // push acked, pull answer lost
            [nil, .truncate],                                     // pull answer cut off mid-body
            [nil, nil, .dropRequest],                             // killed between pull pages
          ] as [[FaultInjectingTransport.Fault?]])
    func killAtEveryStep(faults: [FaultInjectingTransport.Fault?]) async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run(limits: SyncLimits(maxChangesPerPush: 500, maxBodyBytes: 4 << 20, maxPullPage: 2)) { session in
            let first = try await session.handset("worker", worker: "zhang.wei", grids: [LiveServer.gridA])
            let identity = try #require(try await first.identity)
            for index in 1...3 { try await first.create(Sample.household("hh-\(index)")) }
            try await first.create(Sample.patrol("pt-1"))

            let faulty = FaultInjectingTransport(wrapping: URLSessionTransport(baseURL: session.baseURL), script: faults)
            let dying = try session.openHandset("worker", transport: faulty, retry: RetryPolicy(maxAttempts: 1))
            await #expect(throws: (any Error).self) { try await dying.sync() }
            #expect(faulty.injected.count == 1)

            let revived = try session.openHandset("worker")
            #expect(try await revived.identity == identity)
            try await revived.sync()
            #expect(try await revived.status().pendingChanges == 0)
            for index in 1...3 {
                let key = RecordKey(kind: .household, id: RecordID("hh-\(index)")!)
                #expect(try await revived.rowState(key) == session.serverState(key))
            }
            let (records, logged) = try await session.server.store.pool.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM record")!,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM change_log WHERE outcome != 'stale'")!)
            }
            #expect(records == 4)
            #expect(logged == 4, "each change applied exactly once")
        }
    }

    @Test("retries ride out dropped requests, lost acks, delays and truncation within one sync")
    func retriesWithinOneSync() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let faulty = FaultInjectingTransport(
                wrapping: URLSessionTransport(baseURL: session.baseURL),
                script: [.dropRequest, .dropResponse, .delay(.milliseconds(1)), .truncate, .dropResponse], sleep: { _ in })
            let handset = try await session.handset("worker", worker: "w", grids: [LiveServer.gridA], transport: faulty,
                                                    retry: RetryPolicy(maxAttempts: 8))
            try await handset.create(Sample.household("hh-1"))
            let report = try await handset.sync()
            #expect(faulty.injected.count == 5, "every fault was met, in enrolment or sync")
            #expect(report.retries >= 1)
            #expect(try await handset.status().pendingChanges == 0)
            #expect(try await session.serverState(Sample.household("hh-1").key) != nil)
        }
    }

    @Test("a permanently rejected change is parked with its reason and the rest of the queue drains")
    func rejectionParked() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let handset = try await session.handset("worker", worker: "w", grids: [LiveServer.gridA])
            try await handset.create(Sample.household("hh-1"))
            try await handset.create(Sample.household("hh-stray", grid: LiveServer.elsewhere))
            try await handset.create(Sample.patrol("pt-1"))
            let report = try await handset.sync()
            #expect(report.pushed == 2 && report.rejected == 1)
            let status = try await handset.status()
            #expect(status.pendingChanges == 0)
            #expect(status.rejected.map(\.code) == ["out_of_scope"])
            #expect(status.rejected.first?.change.record.id.rawValue == "hh-stray")
            #expect(try await handset.record(Household.self, id: RecordID("hh-stray")!) == nil, "taken back out of the replica")
            // Not retried: the next sync sends nothing.
            #expect(try await handset.sync().pushed == 0)
        }
    }

    @Test("a 413 splits the batch until it fits")
    func splitsOnTooLarge() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run(limits: SyncLimits(maxChangesPerPush: 500, maxBodyBytes: 6_000, maxPullPage: 500)) { session in
            let handset = try await session.handset("worker", worker: "w", grids: [LiveServer.gridA])
            // The server's limit shrank after this handset enrolled.
            try await handset.pool.write { db in try Meta.limits.set(#"{"maxBodyBytes":4194304,"maxChangesPerPush":500,"maxPullPage":500}"#, db) }
            for index in 1...12 { try await handset.create(Sample.household("hh-\(index)")) }
            let report = try await handset.sync()
            #expect(report.pushed == 12)
            #expect(report.rejected == 0)
            #expect(try await handset.status().pendingChanges == 0)
        }
    }
}

extension FaultTests {
    @Test("answers that keep arriving damaged end the sync with a clear error; the outbox is kept")
    func damagedAnswersAreBounded() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            _ = try await session.handset("worker", worker: "w", grids: [LiveServer.gridA])
            let faulty = FaultInjectingTransport(wrapping: URLSessionTransport(baseURL: session.baseURL),
                                                 script: Array(repeating: .truncate, count: 3), sleep: { _ in })
            let handset = try session.openHandset("worker", transport: faulty, retry: RetryPolicy(maxAttempts: 3))
            try await handset.create(Sample.household("hh-1"))
            await #expect(throws: FieldClientError.self) { try await handset.sync() }
            #expect(try await handset.status().lastError?.contains("damaged") == true)
            #expect(try await handset.status().pendingChanges == 1)
            // The server did commit; the next sync is answered from the idempotency record.
            try await session.openHandset("worker").sync()
            #expect(try await session.openHandset("worker").status().pendingChanges == 0)
        }
    }
}
