import Foundation
@testable import FieldClient
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import GridSyncSQLite
import Synchronization
import Testing

/// A server restored from a backup has lost what it acknowledged afterwards. Its handsets
/// still hold all of it: the acknowledged changes they keep, and their photos. The restored
/// store's new epoch makes each handset's next pull a rebase, and they send it all again.
@Suite("Backup and restore")
struct RestoreTests {
    static let handsets: [(name: String, worker: String, grids: [GridPath])] = [
        ("h0", "zhang.wei", [LiveServer.gridA]), ("h1", "li.na", [LiveServer.gridA]),
        ("h2", "wang.fang", [LiveServer.gridB]), ("h3", "chen.jie", [LiveServer.gridA, LiveServer.gridB]),
    ]

    /// The storm here is four handsets syncing flat out: photos must not wait for it to pass.
    static let photosNeverWait = AdmissionPolicy(photosYieldAt: 1_000_000)

    /// Counts handsets past a round, and says when the backup is done.
    final class Storm: Sendable {
        let pastSecondRound = Mutex(0)
        let backedUp = Mutex(false)
    }

    @Test("a backup taken mid-storm restores; every handset rebases and sends again all the restored server lacks, photos included")
    func backupMidStormThenRestore() async throws {
        let original = try await LiveServer()
        defer { original.cleanUp() }
        let folder = original.directory
        let backup = folder.appendingPathComponent("backup.sqlite").path
        let photoBytes = PhotoTests.photoBytes(90_000, seed: 41)
        let storm = Storm()
        let taken = Mutex<PhotoReference?>(nil)
        try await original.run(limits: PhotoTests.limits, admission: Self.photosNeverWait) { session in
            var clients: [FieldClient] = []
            for handset in Self.handsets { clients.append(try await session.handset(handset.name, worker: handset.worker, grids: handset.grids)) }
            try await clients[0].create(Sample.household("hh-shared"))
            try await clients[0].sync()
            for client in clients { try await client.sync() }
            // Every handset writes and syncs round after round; the backup is taken once all of
            // them are past their second round, while they go on, and they go on after it.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, client) in clients.enumerated() {
                    let grid = Self.handsets[index].grids[0]
                    group.addTask {
                        var round = 0
                        while (round < 6 || !storm.backedUp.withLock({ $0 })) && round < 500 {
                            try Task.checkCancellation()
                            try await client.create(Sample.household("hh-\(index)-\(round)", grid: grid))
                            if round > 0 {
                                try await client.update(Household.self, id: RecordID("hh-\(index)-0")!) { $0.notes = "第\(round)轮" }
                            }
                            // One household edited round after round by the handset that made it. (Edits by
                            // a second handset would count writes the restored server lost, and would be
                            // refused `unknown_dot` if they came back first: README "Restores and rebase".)
                            if index == 0 {
                                _ = try await client.update(Household.self, id: RecordID("hh-shared")!) { $0.notes = "第\(round)次走访" }
                            }
                            try await client.sync()
                            if round == 1 { storm.pastSecondRound.withLock { $0 += 1 } }
                            round += 1
                        }
                    }
                }
                group.addTask {
                    while storm.pastSecondRound.withLock({ $0 }) < Self.handsets.count { try await Task.sleep(for: .milliseconds(5)) }
                    _ = try await SQLiteBackup.backUp(original.databasePath, to: backup)
                    storm.backedUp.withLock { $0 = true }
                }
                try await group.waitForAll()
            }
            let photo = try await PhotoTests.patrolWithPhoto(clients[0], id: "pa-after-backup", bytes: photoBytes)
            taken.withLock { $0 = photo }
            #expect(try await clients[0].uploadPhotos().uploaded == 1)
            for client in clients { try await client.sync() }
        }
        let keys = try await Set(Self.handsets.asyncFlatMap { try await Self.open($0.name, in: folder).replicaStates().keys })
        var held: [RecordKey: RecordState] = [:]
        for key in keys { held[key] = try await original.engine.record(key)?.state }
        let before = held
        let photo = try #require(taken.withLock { $0 })
        let restored = try await LiveServer(restoring: backup, of: original)
        defer { restored.cleanUp() }
        var lost = 0
        for (key, state) in before {
            if try await restored.engine.record(key)?.state != state { lost += 1 }
        }
        #expect(lost > 0, "the backup was taken mid-storm: the restored server lacks some of what was acknowledged")
        #expect(try await restored.storedBlob(photo) == nil)

        try await restored.run(limits: PhotoTests.limits, admission: Self.photosNeverWait) { session in
            var requeued = 0
            for handset in Self.handsets {
                let report = try await session.openHandset(handset.name, in: folder).sync()
                #expect(report.rebased, "\(handset.name) was told to rebase")
                requeued += report.requeued
            }
            #expect(requeued > 0)
            for handset in Self.handsets {
                let client = try session.openHandset(handset.name, in: folder)
                #expect(try await client.sync().rebased == false, "a rebase happens once")
                #expect(try await client.status().pendingChanges == 0)
            }
            // Nothing any handset held is missing: every record is as the original had it.
            for (key, state) in before { #expect(try await session.serverState(key) == state, "\(key)") }
            #expect(try await session.openHandset("h0", in: folder).uploadPhotos().uploaded == 1)
            #expect(try await restored.storedBlob(photo) == photoBytes)
        }
    }

    static func open(_ name: String, in folder: URL) throws -> FieldClient {
        try FieldClient(path: folder.appendingPathComponent("\(name).sqlite").path,
                        transport: URLSessionTransport(baseURL: URL(string: "http://127.0.0.1:9")!))
    }
}

extension Sequence where Element: Sendable {
    func asyncFlatMap<T: Sequence>(_ transform: (Element) async throws -> T) async rethrows -> [T.Element] {
        var out: [T.Element] = []
        for element in self { out += try await transform(element) }
        return out
    }
}
