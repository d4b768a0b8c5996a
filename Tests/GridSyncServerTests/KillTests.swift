import Foundation
import GridSyncAdmin
import GRDB
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// The server is killed with SIGKILL while several clients stream pushes, and restarted.
/// Whatever it acknowledged must be on disk exactly once; retrying the rest completes the set.
@Suite("Crash safety", .serialized)
struct KillTests {
    static let devices = 4
    static let batchesPerDevice = 20
    static let changesPerBatch = 20
    /// Kill after this many acknowledged batches in total.
    static let killPoints = [8, 30, 55]

    /// Shared between the pushing tasks and the killer.
    actor Ledger {
        var acknowledged: Set<String> = []
        var acknowledgedBatches = 0
        var server: ServerProcess
        var restarts = 0

        init(server: ServerProcess) { self.server = server }

        func acknowledge(_ ids: [String]) { acknowledged.formUnion(ids); acknowledgedBatches += 1 }
        func current() -> ServerProcess { server }
        func replace(with server: ServerProcess) { self.server = server; restarts += 1 }
    }

    @Test("kill -9 mid-stream, three times: acknowledged changes survive exactly once")
    func killMidStream() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("server.sqlite")
        let tokenFile = directory.appendingPathComponent("admin.token")
        let first = try await ServerProcess.start(database: database, adminTokenFile: tokenFile)
        let admin = try String(contentsOf: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        var enrolled: [EnrollResponse] = []
        let hierarchy = GridHierarchy(grids: [GridNode(path: TestServer.street)], assignments: [])
        let commandCentre = AdminClient(baseURL: first.baseURL, token: admin)
        try await commandCentre.replaceHierarchy(hierarchy)
        for index in 0..<Self.devices {
            let code = try await commandCentre.enrollmentCode(worker: "worker-\(index)", grids: [TestServer.gridA])
            let (_, device) = try await HTTP.send("POST", first.baseURL.appendingPathComponent("v1/enroll"), token: nil,
                                                  body: WireCoding.encode(EnrollRequest(enrollmentCode: code, appVersion: "kill-test")))
            enrolled.append(try WireCoding.decode(EnrollResponse.self, from: device))
        }

        let ledger = Ledger(server: first)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for device in enrolled {
                group.addTask { try await Self.stream(device, ledger: ledger) }
            }
            group.addTask { try await Self.killer(ledger: ledger, database: database, tokenFile: tokenFile) }
            try await group.waitForAll()
        }
        await ledger.current().kill()

        let total = Self.devices * Self.batchesPerDevice * Self.changesPerBatch
        let acknowledged = await ledger.acknowledged
        #expect(acknowledged.count == total)
        #expect(await ledger.restarts == Self.killPoints.count)
        let (records, distinctChanges, duplicated, applied) = try await DatabaseQueue(path: database.path).read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM record")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT change_id) FROM change_log")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT change_id FROM change_log GROUP BY change_id HAVING COUNT(*) > 1)")!,
             Set(try String.fetchAll(db, sql: "SELECT change_id FROM applied_change")))
        }
        #expect(records == total)
        #expect(distinctChanges == total)
        #expect(duplicated == 0)
        #expect(acknowledged.isSubset(of: applied))
    }

    /// One terminal pushing new patrols in batches; a failed push is retried, unchanged, until
    /// some server answers it.
    static func stream(_ device: EnrollResponse, ledger: Ledger) async throws {
        var terminal = Terminal(replica: device.replicaId)
        for batch in 0..<batchesPerDevice {
            let changes = try (0..<changesPerBatch).map { index in
                try terminal.create(Sample.patrol("\(device.deviceId)-\(batch)-\(index)"))
            }
            let body = try WireCoding.encode(PushRequest(changes: changes))
            var attempts = 0
            while true {
                attempts += 1
                let server = await ledger.current()
                if let (status, data) = try? await HTTP.send("POST", server.baseURL.appendingPathComponent("v1/push"), token: device.token, body: body),
                   status == 200 {
                    let results = try WireCoding.decode(PushResponse.self, from: data).results
                    #expect(results.allSatisfy { $0.outcome == .applied || $0.outcome == .stale })
                    await ledger.acknowledge(changes.map(\.id.rawValue))
                    break
                }
                guard attempts < 500 else { throw RetriesExhausted() }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Kills the server at each kill point, checks the acknowledged set is on disk, restarts.
    static func killer(ledger: Ledger, database: URL, tokenFile: URL) async throws {
        for point in killPoints {
            var waited = 0
            while await ledger.acknowledgedBatches < point {
                waited += 1
                guard waited < 6_000 else { throw RetriesExhausted() }
                try await Task.sleep(for: .milliseconds(5))
            }
            await ledger.current().kill()
            let acknowledged = await ledger.acknowledged
            let onDisk = try await DatabaseQueue(path: database.path).read { db in
                Set(try String.fetchAll(db, sql: "SELECT change_id FROM applied_change"))
            }
            #expect(acknowledged.isSubset(of: onDisk), "acknowledged but lost after kill at \(point)")
            await ledger.replace(with: try await ServerProcess.start(database: database, adminTokenFile: tokenFile))
        }
    }

    struct RetriesExhausted: Error {}
}
