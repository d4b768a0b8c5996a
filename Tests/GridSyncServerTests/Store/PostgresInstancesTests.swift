import Foundation
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncPostgres
@testable import GridSyncServer
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import Synchronization
import Testing

/// Several server instances on one PostgreSQL database: what only a shared store can get
/// wrong. Skipped, in one line, where no PostgreSQL server is configured.
@Suite("PostgreSQL with several instances", .enabled(if: StoreKind.postgresURL != nil, StoreKind.skipComment))
struct PostgresInstancesTests {
    static let grid = GridPath("futian/shatou/community-03/grid-12")!

    static func database() async throws -> String {
        try await PostgresDatabases.create(on: try #require(StoreKind.postgresURL), prefix: "gridsync_test")
    }

    static func instance(_ url: String, positions: PositionScheme = .commitOrdered) async throws -> PostgresStore {
        var logger = Logger(label: "test.postgres")
        logger.logLevel = .error
        return try await PostgresStore(url: url, connections: 4, logger: logger, positions: positions)
    }

    /// Writes a new household at a fresh position, as a push would.
    static func put(_ id: String, _ transaction: any StoreTransaction) throws {
        var terminal = Terminal("r-test")
        let household = Sample.household(id, grid: grid)
        _ = try terminal.create(household)
        let seq = try transaction.appendLog([ChangeLogEntry(
            changeID: "c-" + id, record: household.key, replica: terminal.replica, clock: nil, source: "dev-test",
            outcome: "applied", receivedAt: Date())])[0]
        try transaction.save([RecordWrite(
            record: StoredRecord(key: household.key, state: terminal.states[household.key]!, grids: [grid], seq: seq, conflictSince: nil),
            encoded: nil, gridsChanged: true)])
    }

    /// Instance A takes a position for `hh-a` and holds its transaction open; instance B then
    /// writes `hh-b` and a pull is served; A commits; the device pulls again from the cursor
    /// it was given. Returns the records the device saw over both pulls.
    static func lateCommit(_ positions: PositionScheme) async throws -> Set<String> {
        let url = try await database()
        let a = try await instance(url, positions: positions), b = try await instance(url, positions: positions)
        if positions == .plainSequence {
            try await a.write { try ($0 as! PostgresTransaction).execute("CREATE SEQUENCE plain_position") }
        }
        let tookPosition = DispatchSemaphore(value: 0), commit = DispatchSemaphore(value: 0)
        let first = Task {
            try await a.write { transaction in
                try put("hh-a", transaction)
                tookPosition.signal()
                commit.wait()
            }
        }
        while tookPosition.wait(timeout: .now()) == .timedOut { try await Task.sleep(for: .milliseconds(5)) }
        let committed = Atomic<Bool>(false)
        let second = Task {
            try await b.write { try put("hh-b", $0) }
            committed.store(true, ordering: .sequentiallyConsistent)
        }
        // Until B has committed (the scheme let it) or waits on a lock (the scheme holds it
        // back until A commits): either way the pull below is served in the late-commit window.
        while !committed.load(ordering: .sequentiallyConsistent) {
            let waiting = try await a.read { transaction in
                try (transaction as! PostgresTransaction).rows("""
                    SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                    """)[0]["n"].decode(Int64.self)
            }
            if waiting > 0 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let engine = SyncEngine(store: b)
        let early = try await engine.records(within: [grid], seqAfter: 0, seqAtMost: nil, limit: 100, maxBytes: 1 << 20)
        commit.signal()
        try await first.value
        try await second.value
        let late = try await engine.records(within: [grid], seqAfter: early.lastSeq ?? 0, seqAtMost: nil, limit: 100, maxBytes: 1 << 20)
        await a.shutdown()
        await b.shutdown()
        try await PostgresDatabases.drop(url)
        return Set((early.records + late.records).map(\.id.rawValue))
    }

    @Test("a transaction that commits late is never skipped by a pull served meanwhile")
    func lateCommitIsServed() async throws {
        #expect(try await Self.lateCommit(.commitOrdered) == ["hh-a", "hh-b"])
    }

    @Test("the same test catches a plain sequence: the late commit is skipped forever")
    func plainSequenceLosesTheLateCommit() async throws {
        #expect(try await Self.lateCommit(.plainSequence) == ["hh-b"], "with `seq > cursor` over a sequence, hh-a is never served")
    }

    @Test("two instances starting together migrate once, and each writes resolutions under a replica id of its own")
    func startTogether() async throws {
        let url = try await Self.database()
        async let first = Self.instance(url)
        async let second = Self.instance(url)
        let (a, b) = try await (first, second)
        let (replicaA, replicaB) = (try await a.serverReplica(), try await b.serverReplica())
        #expect(replicaA != replicaB && replicaA.rawValue.hasPrefix("server-") && replicaB.rawValue.hasPrefix("server-"))
        let migrations = try await a.read { transaction in
            try (transaction as! PostgresTransaction).rows("SELECT COUNT(*) AS n FROM schema_migration")[0]["n"].decode(Int64.self)
        }
        #expect(migrations == Int64(PostgresMigrations.migrations.count))
        await a.shutdown()
        await b.shutdown()
        try await PostgresDatabases.drop(url)
    }

    @Test("a device revoked through one instance is refused by the other on its next request")
    func revocationEverywhere() async throws {
        let url = try await Self.database()
        let a = try await Self.instance(url), b = try await Self.instance(url)
        let engineA = SyncEngine(store: a)
        try await engineA.replaceHierarchy(GridHierarchy(grids: [GridNode(path: GridPath("futian/shatou")!)], assignments: []))
        _ = try await engineA.createDevice(worker: "zhang.wei", grids: [Self.grid], enrollmentCodeHash: "code", registrationKey: nil, at: Date())
        let token = TokenFactory.token(prefix: TokenFactory.devicePrefix)
        let device = try await engineA.enroll(enrollmentCodeHash: "code", tokenHash: TokenFactory.hash(token), appVersion: "1", installationID: nil, at: Date())
        let appB = try buildApplication(configuration: ServerConfiguration(port: 0), store: b)
        try await appB.test(.router) { client in
            let headers: HTTPFields = [.authorization: "Bearer \(token)", HTTPField.Name(WireProtocol.versionHeader)!: "\(WireProtocol.version)"]
            #expect(try await client.execute(uri: "/v1/pull", method: .get, headers: headers).status == .ok)
            _ = try await engineA.revokeDevice(id: device.id, at: Date())
            let refused = try await client.execute(uri: "/v1/pull", method: .get, headers: headers)
            #expect(refused.status == .unauthorized)
            #expect(try WireCoding.decode(ErrorEnvelope.self, from: Data(buffer: refused.body)).error.code == .tokenRevoked)
        }
        await a.shutdown()
        await b.shutdown()
        try await PostgresDatabases.drop(url)
    }

    @Test("pushes to the same records through two instances at once lose nothing")
    func concurrentPushes() async throws {
        let url = try await Self.database()
        let a = try await Self.instance(url), b = try await Self.instance(url)
        let engines = [SyncEngine(store: a), SyncEngine(store: b)]
        var devices: [DeviceRecord] = []
        for index in 0..<2 {
            _ = try await engines[0].createDevice(worker: "w-\(index)", grids: [Self.grid], enrollmentCodeHash: "c\(index)", registrationKey: nil, at: Date())
            devices.append(try await engines[0].enroll(enrollmentCodeHash: "c\(index)", tokenHash: "t\(index)", appVersion: "1", installationID: nil, at: Date()))
        }
        // Twenty households; then both devices edit every one of them five times over, each
        // through its own instance, at once. Every edit must be in the final records.
        var creator = Terminal(replica: devices[0].replicaID)
        let households = (0..<20).map { Sample.household("hh-\($0)", grid: Self.grid) }
        _ = try await engines[0].push([PushBatch(device: devices[0], scope: [Self.grid],
                                                 changes: try households.map { ChangeDecider().check(try creator.create($0)) },
                                                 report: nil, receivedAt: Date())])
        let created = creator.states
        let terminals = try await withThrowingTaskGroup(of: Terminal.self) { group in
            for index in 0..<2 {
                let device = devices[index], engine = engines[index]
                group.addTask {
                    var terminal = Terminal(replica: device.replicaID)
                    terminal.states = created
                    for round in 0..<5 {
                        let changes = try households.map { household in
                            try terminal.write([FieldPath("notes")!: .string("\(device.worker) round \(round)")], to: household.key)
                        }
                        _ = try await engine.push([PushBatch(device: device, scope: [Self.grid], changes: changes.map(ChangeDecider().check),
                                                             report: nil, receivedAt: Date())])
                    }
                    return terminal
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for household in households {
            let stored = try #require(try await engines[1].record(household.key))
            for terminal in terminals {
                #expect(stored.state.clock[terminal.replica] == terminal.states[household.key]?.clock[terminal.replica], "\(household.key)")
            }
            #expect(stored.state.isInConflict, "both devices' last notes are kept as siblings")
        }
        await a.shutdown()
        await b.shutdown()
        try await PostgresDatabases.drop(url)
    }

    @Test("the audit log refuses updates and deletes on PostgreSQL too")
    func auditAppendOnly() async throws {
        let opened = try await TestStore.open(.postgres)
        try await opened.engine.appendAudit(actor: "a", action: "b", target: nil, outcome: "ok", detail: nil, at: Date())
        await #expect(throws: (any Error).self) {
            try await opened.store.write { try ($0 as! PostgresTransaction).execute("DELETE FROM audit") }
        }
        #expect(try await opened.engine.auditEntries(since: nil, limit: 5).count == 1)
        await opened.close()
    }
}
