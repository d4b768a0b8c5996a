import Foundation
@testable import FieldClient
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// What a handset says of itself with each push reaches the server's view of it.
@Suite("Device report")
struct DeviceReportTests {
    @Test("a push carries the outbox's age, parked changes, the last failure's kind, free storage and the handset clock")
    func report() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run { session in
            let handset = try await session.handset("worker", worker: "zhang.wei", grids: [LiveServer.gridA])
            try await handset.create(Sample.household("hh-report"))
            // Out of signal: nothing answers on this port.
            let away = try session.openHandset("worker", transport: URLSessionTransport(baseURL: URL(string: "http://127.0.0.1:9")!),
                                               retry: RetryPolicy(maxAttempts: 2))
            await #expect(throws: FieldClientError.self) { try await away.sync() }
            #expect(try await away.status().lastError != nil)
            // Back in signal, with a change parked meanwhile.
            let back = try session.openHandset("worker")
            var scratch = RecordState()
            let refused = scratch.write([FieldPath("notes")!: "x"], by: try #require(try await back.identity).replicaID,
                                        id: ChangeID("parked-1")!, record: RecordKey(kind: .household, id: RecordID("hh-parked")!))
            try await back.pool.write { db in try Outbox.park(refused, reason: RejectReason(code: "out_of_scope", message: "refused"), at: Date(), db, cache: RowCache()) }
            try await back.sync()
            let deviceID = try #require(try await back.identity).deviceID
            let device = try #require(try await server.engine.devices().first { $0.id == deviceID })
            let report = try #require(device.report)
            #expect(report.lastErrorKind == FieldClientError.Code.unreachable.rawValue, "the failure before this push, as a kind")
            #expect(report.parkedChanges == 1 && report.pendingChanges == 0)
            #expect((report.oldestPendingSeconds ?? -1) >= 0)
            #expect((report.freeStorageBytes ?? 0) > 0)
            #expect(abs(report.clockSkewSeconds ?? 99) < 5, "the handset's clock is the server's here")
            #expect(device.lastPushAt != nil && device.lastPullAt != nil)
            // The next push says the failure is over.
            try await back.create(Sample.household("hh-report-2"))
            try await back.sync()
            #expect(try await server.engine.devices().first { $0.id == deviceID }?.report?.lastErrorKind == nil)
        }
    }
}
