import Foundation
import GridSyncTestSupport
import GRDB
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import GridSyncSQLite
import Testing

/// The property tests run their histories through an in-memory model of the store, for speed.
/// Here a sample of the same histories runs through each real store, push by push and
/// resolution by resolution: every answer and the final record must be the model's. Part of
/// the store conformance suite.
@Suite("Every store agrees with the property model")
struct StoreAgreesWithModelTests {
    @Test("the same histories give the same answers and records",
          arguments: StoreKind.available, RecordKind.allCases)
    func agrees(store kind: StoreKind, kind recordKind: RecordKind) async throws {
        let samples = try #require(KindSamples.all.first { $0.kind == recordKind }, "add \(recordKind.rawValue) to KindSamples")
        // A fresh store per history; PostgreSQL pays a database per store, so it runs fewer.
        let seeds: ClosedRange<UInt64> = kind == .sqlite ? 1...200 : 1...20
        for seed in seeds {
            let history = ServerHistory(samples: samples, seed: seed)
            let opened = try await TestStore.open(kind)
            let store = opened.store, engine = opened.engine
            var devices: [ReplicaID: DeviceRecord] = [:]
            for (replica, worker) in ServerHistory.workers {
                let device = DeviceRecord(id: "dev-\(replica.rawValue)", worker: worker, replicaID: replica, status: .awaitingEnrollment)
                try await store.write { transaction in
                    try transaction.insertDevice(device, enrollmentCodeHash: "code-\(replica.rawValue)", registrationKey: nil, at: Date())
                    try transaction.activate(deviceID: device.id, tokenHash: "token-\(replica.rawValue)", appVersion: "test",
                                             protocolVersion: 1, installationID: nil, at: Date())
                }
                devices[replica] = DeviceRecord(id: device.id, worker: worker, replicaID: replica, status: .active)
            }
            for (index, step) in history.steps.enumerated() {
                switch step {
                case .push(let change, let by, let expected):
                    let batch = PushBatch(device: devices[by]!, scope: EngineModel.scope, changes: [ChangeDecider().check(change)],
                                          report: nil, receivedAt: Date())
                    let result = try await engine.push([batch])[0][0]
                    #expect(result == expected, "\(kind) \(recordKind) seed \(seed) step \(index + 1)")
                case .resolve(let resolution, let expected):
                    let version = try #require(try await engine.record(history.key)).seq
                    let resolved = try await engine.resolve(history.key, expectedVersion: version, actor: "ops:test") { stored in
                        try stored.resolution(resolution, by: SyncEngine.singleInstanceReplica, id: expected.id, note: EngineModel.opsNote)
                    }
                    #expect(resolved.state.clock.contains(expected.dots.first!), "\(kind) seed \(seed) step \(index + 1)")
                }
            }
            let stored = try await engine.record(history.key)
            #expect(stored?.state == history.engine.stored?.state, "\(kind) \(recordKind) seed \(seed): the store's record differs from the model's")
            await opened.close()
        }
    }
}
