import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// The property tests run their histories through an in-memory model of the store, for speed.
/// Here a sample of the same histories runs through the real SQLite store, push by push and
/// resolution by resolution: every answer and the final record must be the model's.
@Suite("The SQLite store agrees with the property model")
struct StoreAgreesWithModelTests {
    @Test("the same histories give the same answers and records", arguments: KindSamples.all.map(\.kind))
    func agrees(kind: RecordKind) async throws {
        let samples = KindSamples.all.first { $0.kind == kind }!
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for seed: UInt64 in 1...200 {
            let history = ServerHistory(samples: samples, seed: seed)
            let store = try SQLiteStore(path: directory.appendingPathComponent("\(seed).sqlite").path)
            var devices: [ReplicaID: DeviceRecord] = [:]
            try await store.pool.write { db in
                for (replica, worker) in ServerHistory.workers {
                    try db.execute(sql: "INSERT INTO device (id, worker, replica_id, status, created_at) VALUES (?, ?, ?, 'active', 0)",
                                   arguments: ["dev-\(replica.rawValue)", worker, replica.rawValue])
                }
            }
            for (replica, worker) in ServerHistory.workers {
                devices[replica] = DeviceRecord(id: "dev-\(replica.rawValue)", worker: worker, replicaID: replica, status: .active)
            }
            for (index, step) in history.steps.enumerated() {
                switch step {
                case .push(let change, let by, let expected):
                    let batch = PushBatch(device: devices[by]!, scope: EngineModel.scope, changes: [ChangeDecider().check(change)],
                                          report: nil, receivedAt: Date())
                    let result = try await store.push([batch], decider: ChangeDecider())[0][0]
                    #expect(result == expected, "\(kind) seed \(seed) step \(index + 1)")
                case .resolve(let resolution, let expected):
                    let version = try #require(try await store.record(history.key)).seq
                    let resolved = try await store.resolve(history.key, expectedVersion: version, actor: "ops:test") { stored in
                        try stored.resolution(resolution, by: AdminConflictRoutes.serverReplica, id: expected.id)
                    }
                    #expect(resolved.state.clock.contains(expected.dots.first!), "\(kind) seed \(seed) step \(index + 1)")
                }
            }
            let stored = try await store.record(history.key)
            #expect(stored?.state == history.engine.stored?.state, "\(kind) seed \(seed): the store's record differs from the model's")
        }
    }
}
