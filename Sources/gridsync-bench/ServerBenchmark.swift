import ArgumentParser
import Foundation
import GridSyncAdmin
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GridSyncCore
import GridSyncPostgres
import GridSyncProtocol
import GridSyncServer
import GridSyncSQLite
import Hummingbird

/// Merged changes per second through the real server, beside raw inserts into the same
/// database in the same run.
///
/// Both sides use the same disk and the same durability (SQLite: WAL, `synchronous = FULL`;
/// PostgreSQL: its defaults, `fsync` and `synchronous_commit` on): the baseline is one
/// prepared-statement insert per commit, which is what a server that committed each change on
/// its own would be bound by.
struct ServerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Push throughput over loopback HTTP, beside raw inserts into the same database.",
        discussion: """
            Examples:
              swift run -c release gridsync-bench server --connections 64 --batch 50
              swift run -c release gridsync-bench server --postgres postgres://postgres@127.0.0.1:5432/postgres
            """)

    @Option(help: "Concurrent connections, one device each.")
    var connections = 64
    @Option(help: "Changes per push.")
    var batch = 50
    @Option(help: "Pushes per connection.")
    var pushes = 8
    @Option(help: "Run on PostgreSQL: a fresh database is made on this server and dropped afterwards.")
    var postgres: String?
    @Option(help: "Folder for the database files (default: a new temporary folder).")
    var directory: String?

    func run() async throws {
        let folder = try makeRunFolder("gridsync-bench", in: URL(fileURLWithPath: directory ?? NSTemporaryDirectory()))
        defer { try? FileManager.default.removeItem(at: folder) }

        let rawRate: Double, rawLabel: String, store: any SyncStore
        var database: String?
        if let postgres {
            let url = try await PostgresDatabases.create(on: postgres, prefix: "gridsync_bench")
            database = url
            rawRate = try await PostgresInsertBaseline.insertsPerSecond(url: url, connections: PostgresInsertBaseline.connections)
            rawLabel = "raw PostgreSQL inserts (1 per commit, \(PostgresInsertBaseline.connections) connections)"
            store = try await PostgresStore(url: url)
        } else {
            rawRate = try RawInsertBaseline.insertsPerSecond(path: folder.appendingPathComponent("raw.sqlite").path)
            rawLabel = "raw SQLite inserts (1 per commit, WAL, synchronous=FULL)"
            store = try SQLiteStore(path: folder.appendingPathComponent("server.sqlite").path)
        }
        try await BenchServer.serving(store) { server in
            var devices: [(token: String, replica: ReplicaID)] = []
            for index in 0..<connections {
                let code = "bench-code-\(index)", token = TokenFactory.token(prefix: TokenFactory.devicePrefix)
                _ = try await server.engine.createDevice(worker: "worker-\(index)", grids: [BenchServer.grid], enrollmentCodeHash: TokenFactory.hash(code),
                                                         registrationKey: nil, at: Date())
                let device = try await server.engine.enroll(enrollmentCodeHash: TokenFactory.hash(code), tokenHash: TokenFactory.hash(token), appVersion: "bench",
                                                            installationID: nil, at: Date())
                devices.append((token, device.replicaID))
            }
            let bodies = try devices.map { device in try PushWorkload.bodies(replica: device.replica, grid: BenchServer.grid, pushes: pushes, batch: batch) }
            let client = LoadClient(base: server.base, connections: connections)

            let emptyRate = try await client.requestsPerSecond(path: "/health", total: connections * pushes * 4)
            let started = ContinuousClock.now
            let failures = try await client.push(bodies: bodies, tokens: devices.map(\.token))
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let changes = Double(connections * pushes * batch)
            let mergedRate = changes / seconds

            print("connections \(connections), \(batch) changes per push, \(pushes) pushes each: \(Int(changes)) changes, \(failures) failed pushes")
            print(rawLabel.padding(toLength: 56, withPad: " ", startingAt: 0) + String(format: " %8.0f /s", rawRate))
            print(String(format: "empty HTTP route (GET /health), same client:             %8.0f req/s", emptyRate))
            print(String(format: "merged changes through /v1/push:                        %8.0f /s", mergedRate))
            print(String(format: "pushes per second:                                      %8.0f /s", Double(connections * pushes) / seconds))
            print(String(format: "ratio merged changes / raw inserts:                     %8.2f", mergedRate / rawRate))
        }
        if let postgres = store as? PostgresStore { await postgres.shutdown() }
        if let database { try await PostgresDatabases.drop(database) }
    }
}

/// Realistic pushes: new households and patrols, then edits of them.
enum PushWorkload {
    static func bodies(replica: ReplicaID, grid: GridPath, pushes: Int, batch: Int) throws -> [Data] {
        var states: [RecordKey: RecordState] = [:]
        var bodies: [Data] = []
        var serial = 0
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        for push in 0..<pushes {
            var changes: [Change] = []
            for index in 0..<batch {
                serial += 1
                let id = ChangeID("\(replica)-\(serial)")!
                if push > 0 && index % 2 == 1, let key = states.keys.randomElement() {
                    var state = states[key]!
                    let field = key.kind == .household ? FieldPath("notes")! : FieldPath("trackPoints", element: "p\(serial)")
                    let value: FieldValue = key.kind == .household ? .string("第\(serial)次走访")
                        : try FieldValueCoding.encode(TrackPoint(id: RecordID("p\(serial)")!, position: Coordinate(latitude: 22.5, longitude: 114.0), recordedAt: start))
                    changes.append(state.write([field: value], by: replica, id: id, record: key))
                    states[key] = state
                } else {
                    let record: any SyncedRecord = index % 2 == 0
                        ? Household(id: RecordID("hh-\(replica)-\(serial)")!, grid: grid, address: Address(building: "12", unit: "2", room: "\(serial)"), type: .resident)
                        : Patrol(id: RecordID("pt-\(replica)-\(serial)")!, grid: grid, worker: "w", startedAt: start)
                    var state = RecordState()
                    changes.append(state.write(try record.fields(), by: replica, id: id, record: record.key))
                    states[record.key] = state
                }
            }
            bodies.append(try WireCoding.encode(PushRequest(changes: changes)))
        }
        return bodies
    }
}
