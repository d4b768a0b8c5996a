import Foundation
import GridSyncAdmin
import GridSyncTestSupport
import GRDB
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
@testable import GridSyncSQLite
import Testing

/// One device, or one bad day, must not hurt everyone: a poisoned record never stops a grid,
/// and a record cannot be bloated past what a pull page carries.
@Suite("Hostile input")
struct HostileInputTests {
    /// A value nested `depth` levels deep, as an older server would have stored it.
    static func nested(_ depth: Int) -> FieldValue {
        var value: FieldValue = "x"
        for _ in 0..<depth { value = [value] }
        return value
    }

    @Test("a record stored before values were bounded is quarantined at start; the grid keeps syncing; ops can release it")
    func poisonedRecord() async throws {
        let poisoned = RecordKey(kind: .household, id: RecordID("hh-poison")!)
        let server = try await TestServer { path in
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v4-worker-replicas")
            try queue.write { db in
                let state = RecordState(
                    entries: [FieldPath("address")!: [Dot("r-old:1")!: ["building": "1", "room": "1", "unit": "1", "x": Self.nested(505)]],
                              FieldPath("grid")!: [Dot("r-old:2")!: .string(TestServer.gridA.description)],
                              FieldPath("type")!: [Dot("r-old:3")!: "resident"]],
                    context: CausalContext(compact: VectorClock([ReplicaID("r-old")!: 3])), clock: .empty)
                for (kind, id, body) in [("household", "hh-poison", CompactJSON.encode(state)), ("bogus", "hh-broken", CompactJSON.encode(RecordState()))] {
                    try db.execute(sql: "INSERT INTO change_log (change_id, kind, id, outcome, received_at) VALUES (?, ?, ?, 'applied', 0)",
                                   arguments: ["legacy-\(id)", kind, id])
                    try db.execute(sql: "INSERT INTO record (kind, id, state, seq, in_conflict, deleted) VALUES (?, ?, ?, ?, 0, 0)",
                                   arguments: [kind, id, body, db.lastInsertedRowID])
                    try db.execute(sql: "INSERT INTO record_grid (grid, kind, id, current) VALUES (?, ?, ?, 1)",
                                   arguments: [TestServer.gridA.description, kind, id])
                }
            }
        }
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            var terminal = Terminal(replica: device.replicaId)
            _ = try await client.push([try terminal.create(Sample.household("hh-ok"))], as: device)

            let first = try await client.pullAll(as: device)
            #expect(Set(first.records.keys) == [RecordKey(kind: .household, id: RecordID("hh-ok")!)])
            let metrics = try await client.send(.get, "/metrics", version: nil)
            #expect(String(decoding: metrics.body, as: UTF8.self).contains("gridsync_pull_skipped_records_total 1"))

            let listed = try await client.admin.quarantined()
            #expect(listed.records.map(\.id) == [poisoned.id])
            #expect(listed.records.first?.reason.isEmpty == false)

            // Ops look at it and release it: it is served again, as stored.
            try await client.admin.release(poisoned)
            let second = try await client.pullAll(as: device, from: first.cursor)
            #expect(second.records.keys.contains(poisoned))

            // And ops can set any record aside: pull stops serving it, pushes still merge.
            let ok = RecordKey(kind: .household, id: RecordID("hh-ok")!)
            try await client.admin.quarantine(ok, reason: "核查中")
            let fresh = try await client.pullAll(as: device)
            #expect(!fresh.records.keys.contains(RecordKey(kind: .household, id: RecordID("hh-ok")!)))
            let edit = try terminal.write([Sample.notes: "仍在核查"], to: RecordKey(kind: .household, id: RecordID("hh-ok")!))
            #expect(try await client.push([edit], as: device).decode(PushResponse.self).results.first?.outcome == .applied)
            let missing = await refusal { try await client.admin.quarantine(RecordKey(kind: .household, id: RecordID("hh-none")!), reason: "核查中") }
            #expect(missing?.status == 404)
            let blank = await refusal { try await client.admin.quarantine(ok, reason: " ") }
            #expect(blank?.status == 400 && blank?.field == "reason")
            let audit = try await client.admin.audit()
            #expect(Set(audit.entries.map(\.action)).isSuperset(of: ["records.quarantine", "records.release", "records.quarantined"]))
        }
    }

    @Test("ten pushes each adding a member with a 3 MiB unknown member are refused; the record stays small")
    func bloat() async throws {
        let server = try await TestServer(store: .sqlite)
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            var terminal = Terminal(replica: device.replicaId)
            let household = Sample.household("hh-1")
            _ = try await client.push([try terminal.create(household)], as: device)
            let padding = FieldValue.string(String(repeating: "a", count: 3 << 20))
            for index in 0..<10 {
                let member: FieldValue = ["id": .string("b\(index)"), "name": "访客", "relation": "other", "tags": [], "padding": padding]
                let change = try terminal.write([FieldPath("members/b\(index)")!: member], to: household.key)
                let result = try #require(try await client.push([change], as: device).decode(PushResponse.self).results.first)
                #expect(result.outcome == .rejected && result.reason?.code == "value_too_large")
            }
            let stored = try await server.database().read { db in
                try Int.fetchOne(db, sql: "SELECT length(state) FROM record WHERE kind = 'household' AND id = 'hh-1'")
            }
            #expect((stored ?? .max) < 4_096)
        }
    }

    @Test("a full disk answers 503 with Retry-After, commits nothing, and the retry works once there is room")
    func diskFull() async throws {
        let server = try await TestServer(store: .sqlite)
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            var terminal = Terminal(replica: device.replicaId)
            _ = try await client.push([try terminal.create(Sample.household("hh-0"))], as: device)
            // SQLite's own page cap stands in for a full disk: the writer may not grow the file.
            let pages = try await (server.store as! SQLiteStore).pool.write { db -> Int in
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count")!
                try db.execute(sql: "PRAGMA max_page_count = \(pages)")
                return pages
            }
            let changes = try (1...40).map { try terminal.create(Sample.household("hh-\($0)")) }
            let full = try await client.push(changes, as: device)
            #expect(full.status == 503 && full.error?.code == .overloaded)
            #expect(full.headers[.retryAfter] == "30")
            #expect(try await server.engine.record(changes[0].record) == nil)
            try await (server.store as! SQLiteStore).pool.write { db in try db.execute(sql: "PRAGMA max_page_count = \(pages * 1_000)") }
            let retried = try await client.push(changes, as: device)
            #expect(retried.status == 200)
            #expect(try retried.decode(PushResponse.self).results.allSatisfy { $0.outcome == .applied })
        }
    }

    @Test("a change that would grow a record past its byte bound is refused record_too_large")
    func recordBound() throws {
        let decider = ChangeDecider(maximumRecordBytes: 1_000)
        var terminal = Terminal("r-a")
        let household = Sample.household("hh-1")
        var stored = StoredRecord(key: household.key, state: RecordState(), grids: [], seq: 0, conflictSince: nil)
        var outcomes: [String] = []
        for index in 0..<20 {
            let change = index == 0 ? try terminal.create(household)
                : try terminal.write([FieldPath("members/n\(index)")!: try FieldValueCoding.encode(
                    Member(id: RecordID("n\(index)")!, name: "成员\(index)", relation: .other))], to: household.key)
            let before: StoredRecord? = index == 0 ? nil : stored
            switch decider.decide(decider.check(change), stored: before, scope: [TestServer.street], writer: [terminal.replica]) {
            case .reject(let reason): outcomes.append(reason.code)
            case .merge(let state, let grids, _, _, let encoded):
                #expect((encoded?.count ?? 0) <= 1_000)
                stored = StoredRecord(key: household.key, state: state, grids: grids, seq: Int64(index), conflictSince: nil)
                outcomes.append("ok")
            }
        }
        #expect(outcomes.first == "ok" && outcomes.last == "record_too_large", "\(outcomes)")
    }
}
