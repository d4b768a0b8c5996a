import Foundation
import GridSyncAdmin
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// The store contract (`SyncStore` and its four concerns), checked the same way on every
/// store: what the engine relies on must hold on SQLite and on PostgreSQL alike. The HTTP-level
/// server tests pin the behaviour above it, and run on PostgreSQL too with
/// `GRIDSYNC_TEST_STORE=postgres`.
@Suite("Store conformance")
struct StoreConformanceTests {
    static let gridA = GridPath("futian/shatou/community-03/grid-1")!
    static let gridA12 = GridPath("futian/shatou/community-03/grid-12")!
    static let gridB = GridPath("futian/xiangmihu/community-01/grid-01")!

    /// A store with one enrolled device per worker given, each covering `grids`.
    struct Fixture {
        let opened: TestStore
        var engine: SyncEngine { opened.engine }
        var devices: [DeviceRecord] = []

        init(_ kind: StoreKind, workers: [String: [GridPath]] = [:]) async throws {
            opened = try await TestStore.open(kind)
            for (index, (worker, grids)) in workers.sorted(by: { $0.key < $1.key }).enumerated() {
                _ = try await opened.engine.createDevice(worker: worker, grids: grids, enrollmentCodeHash: "code-\(index)",
                                                         registrationKey: nil, at: Date())
                devices.append(try await opened.engine.enroll(enrollmentCodeHash: "code-\(index)", tokenHash: "token-\(index)",
                                                             appVersion: "1.0", installationID: nil, at: Date()))
            }
        }

        func push(_ changes: [Change], by device: DeviceRecord, scope: [GridPath]) async throws -> [ChangeResult] {
            try await engine.push([PushBatch(device: device, scope: scope, changes: changes.map(ChangeDecider().check),
                                             report: nil, receivedAt: Date())])[0]
        }

        func pulled(_ roots: [GridPath], after: Int64 = 0) async throws -> [PulledRecord] {
            try await engine.records(within: roots, seqAfter: after, seqAtMost: nil, limit: 1_000, maxBytes: 1 << 30).records
        }
    }

    @Test("a write whose body throws commits nothing", arguments: StoreKind.available)
    func atomic(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        struct Abandon: Error {}
        await #expect(throws: Abandon.self) {
            try await fixture.opened.store.write { transaction in
                try transaction.appendAudit(actor: "t", action: "a", target: nil, outcome: "ok", detail: nil, at: Date())
                try transaction.assign(worker: "w", grids: [Self.gridA])
                throw Abandon()
            }
        }
        #expect(try await fixture.engine.auditEntries(since: nil, limit: 10).isEmpty)
        #expect(try await fixture.engine.scope(ofWorker: "w").isEmpty)
        await fixture.opened.close()
    }

    @Test("a store keeps its epoch; renewing it gives a new one and a server replica id never used before", arguments: StoreKind.available)
    func epoch(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        let first = try await fixture.opened.store.epoch()
        #expect(first.count == 16 && first.allSatisfy(\.isHexDigit))
        #expect(try await fixture.opened.store.epoch() == first)
        let replicaBefore = try await fixture.opened.store.serverReplica()
        let renewed = try await fixture.opened.store.renewEpoch()
        #expect(renewed != first && renewed.count == 16)
        #expect(try await fixture.opened.store.epoch() == renewed)
        // The store restored from a backup mints resolutions under a new name: its counters
        // went back, and the lost history's dots must never be named again.
        let reopened = kind == .postgres ? try await fixture.opened.secondInstance() : nil
        let replicaAfter = try await (reopened.map { $0 as any SyncStore } ?? fixture.opened.store).serverReplica()
        #expect(replicaAfter != replicaBefore && replicaAfter.rawValue.hasPrefix("server-\(renewed)"))
        if let reopened { #expect(try await reopened.epoch() == renewed); await reopened.shutdown() }
        await fixture.opened.close()
    }

    @Test("tombstones are found with their grids, purged whole behind a marker; pulls and due rebases are noted per device", arguments: StoreKind.available)
    func retention(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind, workers: ["w-1": [Self.gridA]])
        let device = fixture.devices[0]
        var terminal = Terminal(replica: device.replicaID)
        let live = Sample.household("hh-live", grid: Self.gridA), gone = Sample.household("hh-gone", grid: Self.gridA)
        _ = try await fixture.push([try terminal.create(live), try terminal.create(gone)], by: device, scope: [Self.gridA])
        _ = try await fixture.push([terminal.delete(gone.key)], by: device, scope: [Self.gridA])
        let store = fixture.opened.store
        let later = Date().addingTimeInterval(60)
        let found = try await store.read { try $0.tombstones(changedBefore: later, seqAtMost: .max, limit: 10) }
        #expect(found.map(\.key) == [gone.key] && found[0].grids == [Self.gridA])
        #expect(try await store.read { try $0.tombstones(changedBefore: Date().addingTimeInterval(-60), seqAtMost: .max, limit: 10) }.isEmpty)
        #expect(try await store.read { try $0.tombstones(changedBefore: later, seqAtMost: found[0].seq - 1, limit: 10) }.isEmpty)
        let before = try await fixture.engine.currentSeq()
        try await store.write { try $0.purge(found, at: Date()) }
        #expect(try await fixture.engine.record(gone.key) == nil)
        #expect(try await fixture.engine.record(live.key) != nil)
        #expect(try await store.read { try $0.purgedKeys([gone.key, live.key]) } == [gone.key])
        #expect(try await fixture.engine.currentSeq() == before, "a cursor that reached the purged record is not ahead of the store")
        #expect(try await fixture.pulled([Self.gridA]).map(\.key) == [live.key])

        let due = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.write { try $0.markRebaseDue(deviceIDs: [device.id], at: due) }
        try await store.write { try $0.notePulled(deviceID: device.id, upTo: 7, rebasedSince: due.addingTimeInterval(-1)) }
        var noted = try #require(try await fixture.engine.devices().first { $0.id == device.id })
        #expect(noted.pulledSeq == 7 && noted.rebaseDueAt == due, "a rebase begun before the mark does not clear it")
        try await store.write { try $0.notePulled(deviceID: device.id, upTo: 5, rebasedSince: due) }
        noted = try #require(try await fixture.engine.devices().first { $0.id == device.id })
        #expect(noted.pulledSeq == 7 && noted.rebaseDueAt == nil, "positions only grow; a rebase begun since the mark clears it")
        await fixture.opened.close()
    }

    @Test("an erasure leaves a bare delete served as erased, refuses late changes, and is confirmed per terminal by pulling past it", arguments: StoreKind.available)
    func erasure(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind, workers: ["w-1": [Self.gridA], "w-2": [Self.gridA], "w-3": [Self.gridB]])
        let device = fixture.devices[0]
        var terminal = Terminal(replica: device.replicaID)
        let household = Sample.household("hh-erased", grid: Self.gridA), kept = Sample.household("hh-kept", grid: Self.gridA)
        _ = try await fixture.push([try terminal.create(household), try terminal.create(kept)], by: device, scope: [Self.gridA])
        let erasedAt = Date(timeIntervalSince1970: 1_800_000_000)
        let report = try await fixture.engine.erase(household.id, actor: "ops-admin", reason: "申请 2026-1", at: erasedAt)
        #expect(report.erasedAt == erasedAt && report.by == "ops-admin" && report.reason == "申请 2026-1")
        #expect(Set(report.terminals.map(\.deviceId)) == [fixture.devices[0].id, fixture.devices[1].id], "only terminals covering its grid")
        #expect(report.pending.count == 2)
        let erased = try #require(try await fixture.engine.record(household.key))
        #expect(erased.state.isDeleted && erased.state.entries.count == 1 && erased.beforeDelete == nil && erased.seq == report.version)
        let served = try await fixture.pulled([Self.gridA])
        #expect(served.map(\.key) == [kept.key, household.key])
        #expect(served.map(\.erased) == [false, true])
        #expect(try await fixture.engine.erase(household.id, actor: "other", reason: "again", at: Date()).version == report.version)
        await #expect(throws: StoreError.self) { try await fixture.engine.erase(RecordID("hh-none")!, actor: "a", reason: "r", at: Date()) }

        let late = try await fixture.push([try terminal.write([FieldPath("notes")!: "late"], to: household.key)], by: device, scope: [Self.gridA])
        #expect(late.map(\.reason?.code) == [RejectReason.erasedCode])
        #expect(try await fixture.engine.record(household.key)?.state.entries.count == 1)

        try await fixture.engine.markSynced(deviceID: device.id, at: erasedAt, pulledUpTo: report.version - 1)
        try await fixture.engine.markSynced(deviceID: fixture.devices[1].id, at: erasedAt.addingTimeInterval(5), pulledUpTo: report.version)
        let listed = try #require(try await fixture.engine.erasures().first)
        #expect(listed.pending.map(\.deviceId) == [device.id], "a cursor below the erasure does not confirm it")
        #expect(listed.terminals.first { $0.deviceId == fixture.devices[1].id }?.confirmedAt == erasedAt.addingTimeInterval(5))
        #expect(try await fixture.opened.store.scrub())
        await fixture.opened.close()
    }

    @Test("a terminal's health: its last report kept whole, push and pull times, refusals of the day, changes not pulled", arguments: StoreKind.available)
    func diagnostics(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind, workers: ["w-1": [Self.gridA]])
        let device = fixture.devices[0]
        let store = fixture.opened.store
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let report = TerminalReport(reportedAt: t0, pendingChanges: 3, oldestPendingSeconds: 600, parkedChanges: 1, lastErrorKind: "unreachable",
                                    freeStorageBytes: 5_000_000_000, appVersion: "1.4.2", clockSkewSeconds: -42.5)
        try await store.write { try $0.noteSync(DeviceSync(deviceID: device.id, at: t0, pendingChanges: 3, pushed: true, report: report)) }
        try await store.write { try $0.noteSync(DeviceSync(deviceID: device.id, at: t0.addingTimeInterval(5), pulled: true)) }
        let noted = try #require(try await fixture.engine.devices().first { $0.id == device.id })
        #expect(noted.report == report && noted.lastPushAt == t0 && noted.lastPullAt == t0.addingTimeInterval(5))
        #expect(noted.lastSyncAt == t0.addingTimeInterval(5), "a pull without a report keeps the last one")
        try await store.write { transaction in
            try transaction.noteRefusal(deviceID: device.id, server: false, at: t0.addingTimeInterval(-90_000))
            try transaction.noteRefusal(deviceID: device.id, server: false, at: t0)
            try transaction.noteRefusal(deviceID: device.id, server: true, at: t0.addingTimeInterval(1))
        }
        #expect(try await store.read { try $0.refusalCounts(since: t0.addingTimeInterval(-86_400)) } == [device.id: RefusalCount(client: 1, server: 1)])
        try await store.write { try $0.forgetRefusals(before: t0) }
        #expect(try await store.read { try $0.refusalCounts(since: .distantPast) } == [device.id: RefusalCount(client: 1, server: 1)])

        var terminal = Terminal(replica: device.replicaID)
        _ = try await fixture.push([try terminal.create(Sample.household("hh-1", grid: Self.gridA)),
                                    try terminal.create(Sample.household("hh-2", grid: Self.gridA))], by: device, scope: [Self.gridA])
        let first = try await fixture.pulled([Self.gridA])[0].seq
        #expect(try await store.read { try $0.changedCount(within: [Self.gridA], seqAfter: 0) } == 2)
        #expect(try await store.read { try $0.changedCount(within: [Self.gridA], seqAfter: first) } == 1)
        #expect(try await store.read { try $0.changedCount(within: [Self.gridA12, Self.gridB], seqAfter: 0) } == 0, "a sibling sharing the prefix is not within")
        await fixture.opened.close()
    }

    @Test("positions grow across commits, and each record carries the position of its last change", arguments: StoreKind.available)
    func positions(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind, workers: ["w-1": [Self.gridA]])
        let device = fixture.devices[0]
        var terminal = Terminal(replica: device.replicaID)
        var last: Int64 = 0
        for index in 0..<5 {
            _ = try await fixture.push([try terminal.create(Sample.household("hh-\(index)", grid: Self.gridA))], by: device, scope: [Self.gridA])
            let current = try await fixture.engine.currentSeq()
            #expect(current > last)
            last = current
        }
        let positions = try await fixture.pulled([Self.gridA]).map(\.seq)
        #expect(positions == positions.sorted() && Set(positions).count == 5 && positions.last == last)
        await fixture.opened.close()
    }

    @Test("pull serves a subtree (not a sibling sharing its prefix), in position order, within bounds", arguments: StoreKind.available)
    func pullScope(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind, workers: ["w-1": [Self.gridA, Self.gridA12, Self.gridB]])
        let device = fixture.devices[0]
        var terminal = Terminal(replica: device.replicaID)
        let scope = [Self.gridA, Self.gridA12, Self.gridB]
        _ = try await fixture.push([try terminal.create(Sample.household("hh-a", grid: Self.gridA)),
                                    try terminal.create(Sample.household("hh-a12", grid: Self.gridA12)),
                                    try terminal.create(Sample.household("hh-b", grid: Self.gridB))], by: device, scope: scope)
        #expect(try await fixture.pulled([Self.gridA]).map(\.id.rawValue) == ["hh-a"])
        #expect(try await fixture.pulled([GridPath("futian/shatou")!]).map(\.id.rawValue) == ["hh-a", "hh-a12"])
        #expect(try await fixture.pulled([]).isEmpty)
        let all = try await fixture.pulled(scope)
        #expect(all.map(\.id.rawValue) == ["hh-a", "hh-a12", "hh-b"])
        let paged = try await fixture.engine.records(within: scope, seqAfter: 0, seqAtMost: nil, limit: 2, maxBytes: 1 << 30)
        #expect(paged.records.count == 2 && paged.full)
        let bounded = try await fixture.engine.records(within: scope, seqAfter: 0, seqAtMost: all[1].seq, limit: 10, maxBytes: 1 << 30)
        #expect(bounded.records.map(\.id.rawValue) == ["hh-a", "hh-a12"] && !bounded.full)
        let byBytes = try await fixture.engine.records(within: scope, seqAfter: 0, seqAtMost: nil, limit: 10, maxBytes: 1)
        #expect(byBytes.records.count == 1 && byBytes.full, "a page holds at least one record, and stops at the byte bound")
        await fixture.opened.close()
    }

    @Test("a record that moves keeps being served to the grid it left, with its current grids", arguments: StoreKind.available)
    func moves(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind, workers: ["w-1": [Self.gridA, Self.gridB]])
        let device = fixture.devices[0]
        var terminal = Terminal(replica: device.replicaID)
        let household = Sample.household("hh-1", grid: Self.gridA)
        _ = try await fixture.push([try terminal.create(household)], by: device, scope: [Self.gridA, Self.gridB])
        let before = try await fixture.engine.currentSeq()
        _ = try await fixture.push([try terminal.write([FieldPath("grid")!: .string(Self.gridB.description)], to: household.key)],
                                   by: device, scope: [Self.gridA, Self.gridB])
        let left = try await fixture.pulled([Self.gridA], after: before)
        #expect(left.map(\.grids) == [[Self.gridB]])
        #expect(try await fixture.engine.record(household.key)?.grids == [Self.gridB])
        await fixture.opened.close()
    }

    @Test("state bytes come back exactly as written, whatever they hold", arguments: StoreKind.available)
    func bytesKept(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind, workers: ["w-1": [Self.gridA]])
        let device = fixture.devices[0]
        var terminal = Terminal(replica: device.replicaID)
        var household = Sample.household("hh-1", grid: Self.gridA)
        household.notes = "独居老人 \u{0} 🧓 \u{7F} \\ \" \u{2028}"
        _ = try await fixture.push([try terminal.create(household)], by: device, scope: [Self.gridA])
        let pulled = try #require(try await fixture.pulled([Self.gridA]).first)
        let stored = try #require(try await fixture.engine.record(household.key))
        #expect(pulled.state == CompactJSON.encode(stored.state))
        #expect(stored.state == terminal.states[household.key])
        await fixture.opened.close()
    }

    @Test("a change id is applied once: in one group commit, across commits, and across batches", arguments: StoreKind.available)
    func idempotent(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind, workers: ["w-1": [Self.gridA]])
        let device = fixture.devices[0]
        var terminal = Terminal(replica: device.replicaID)
        let change = try terminal.create(Sample.household("hh-1", grid: Self.gridA))
        let batch = PushBatch(device: device, scope: [Self.gridA], changes: [ChangeDecider().check(change)], report: nil, receivedAt: Date())
        let results = try await fixture.engine.push([batch, batch])
        #expect(results[0] == results[1] && results[0][0].outcome == .applied)
        let seq = try await fixture.engine.currentSeq()
        #expect(try await fixture.push([change], by: device, scope: [Self.gridA]) == results[0])
        #expect(try await fixture.engine.currentSeq() == seq, "nothing written twice")
        await fixture.opened.close()
    }

    @Test("devices: registration retried by key, enrolment, re-enrolment by the same installation, revocation", arguments: StoreKind.available)
    func devices(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        let engine = fixture.engine
        let first = try await engine.createDevice(worker: "li.na", grids: [Self.gridA], enrollmentCodeHash: "c1", registrationKey: "k1", at: Date())
        let retried = try await engine.createDevice(worker: "li.na", grids: [Self.gridA], enrollmentCodeHash: "c2", registrationKey: "k1", at: Date())
        #expect(first.id == retried.id && first.replicaID == retried.replicaID)
        await #expect(throws: StoreError(.invalid("Idempotency-Key"))) {
            try await engine.createDevice(worker: "wang.fang", grids: [], enrollmentCodeHash: "c3", registrationKey: "k1", at: Date())
        }
        await #expect(throws: StoreError(.notFound)) {
            try await engine.enroll(enrollmentCodeHash: "c1", tokenHash: "t0", appVersion: "1", installationID: nil, at: Date())
        }
        let enrolled = try await engine.enroll(enrollmentCodeHash: "c2", tokenHash: "t1", appVersion: "1.4", installationID: "i1", at: Date())
        #expect(enrolled.status == .active && enrolled.appVersion == "1.4" && enrolled.protocolVersion == WireProtocol.version)
        #expect(try await engine.enroll(enrollmentCodeHash: "c2", tokenHash: "t2", appVersion: "1.4", installationID: "i1", at: Date()).id == first.id)
        await #expect(throws: StoreError(.alreadyUsed)) {
            try await engine.enroll(enrollmentCodeHash: "c2", tokenHash: "t3", appVersion: "1.4", installationID: "other", at: Date())
        }
        await #expect(throws: StoreError(.alreadyUsed)) {
            try await engine.createDevice(worker: "li.na", grids: [], enrollmentCodeHash: "c4", registrationKey: "k1", at: Date())
        }
        #expect(try await engine.device(tokenHash: "t1") == nil, "a re-issued token replaces the old one")
        #expect(try await engine.device(tokenHash: "t2")?.id == first.id)
        let revoked = try #require(try await engine.revokeDevice(id: first.id, at: Date()))
        let lookedUp = try await engine.device(tokenHash: "t2")
        #expect(revoked.status == .revoked && lookedUp?.status == .revoked)
        #expect(try await engine.revokeDevice(id: "dev-none", at: Date()) == nil)
        let replicas = try await fixture.opened.store.read { try $0.replicaIDs(ofWorker: "li.na") }
        #expect(replicas == [first.replicaID], "revoked devices' replica ids still count for their worker")
        #expect(try await engine.scope(ofWorker: "li.na") == [Self.gridA])

        let token = try await engine.createOpsToken(name: "值班长", role: .resolver, tokenHash: "o1", at: Date())
        #expect(try await engine.opsToken(tokenHash: "o1") == token)
        #expect(try await engine.opsTokenCount() == 1)
        #expect(try await engine.revokeOpsToken(id: token.id, at: Date()))
        #expect(try await !engine.revokeOpsToken(id: token.id, at: Date()), "revoking twice changes nothing")
        #expect(try await engine.opsToken(tokenHash: "o1")?.revoked == true)
        await fixture.opened.close()
    }

    @Test("the hierarchy is replaced whole, names and assignments included", arguments: StoreKind.available)
    func hierarchy(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        let engine = fixture.engine
        try await engine.replaceHierarchy(GridHierarchy(grids: [GridNode(path: GridPath("futian")!, name: "福田区")],
                                                        assignments: [Assignment(worker: "old", grids: [Self.gridB])]))
        let hierarchy = GridHierarchy(
            grids: [GridNode(path: GridPath("futian/shatou")!, name: "沙头街道 \u{0}"), GridNode(path: Self.gridA, name: nil)],
            assignments: [Assignment(worker: "zhang.wei", grids: [Self.gridA, Self.gridA12])])
        try await engine.replaceHierarchy(hierarchy)
        let read = try await engine.hierarchy()
        #expect(read.grids.map(\.path) == [GridPath("futian/shatou")!, Self.gridA])
        #expect(read.grids[1].name == nil && read.grids[0].name?.hasPrefix("沙头街道") == true)
        #expect(read.assignments == hierarchy.assignments)
        #expect(try await engine.scope(ofWorker: "old").isEmpty)
        #expect(try await engine.scope(ofWorker: "zhang.wei") == [Self.gridA, Self.gridA12])
        await fixture.opened.close()
    }

    @Test("the audit log keeps order, filters by time and limit", arguments: StoreKind.available)
    func audit(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        let engine = fixture.engine
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<5 {
            try await engine.appendAudit(actor: "ops-\(index)", action: "conflicts.resolve", target: index == 0 ? nil : "household/hh-\(index)",
                                         outcome: "ok", detail: index == 1 ? "理由" : nil, at: start.addingTimeInterval(Double(index)))
        }
        let all = try await engine.auditEntries(since: nil, limit: 10)
        #expect(all.map(\.actor) == (0..<5).map { "ops-\($0)" } && all.map(\.seq) == all.map(\.seq).sorted())
        #expect(all[0].target == nil && all[1].detail == "理由" && all[2].at == start.addingTimeInterval(2))
        #expect(try await engine.auditEntries(since: start.addingTimeInterval(3), limit: 10).map(\.actor) == ["ops-3", "ops-4"])
        #expect(try await engine.auditEntries(since: nil, limit: 2).count == 2)
        await fixture.opened.close()
    }

    @Test("quarantine hides a record from pull; release serves it again at a new position", arguments: StoreKind.available)
    func quarantine(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind, workers: ["w-1": [Self.gridA]])
        let device = fixture.devices[0]
        var terminal = Terminal(replica: device.replicaID)
        let household = Sample.household("hh-1", grid: Self.gridA)
        _ = try await fixture.push([try terminal.create(household)], by: device, scope: [Self.gridA])
        let engine = fixture.engine
        #expect(try await engine.quarantine(household.key, reason: "checking", at: Date()))
        #expect(try await !engine.quarantine(RecordKey(kind: .household, id: RecordID("none")!), reason: "x", at: Date()))
        #expect(try await fixture.pulled([Self.gridA]).isEmpty)
        #expect(try await engine.quarantined().map(\.id) == [household.key.id])
        let seq = try await engine.currentSeq()
        #expect(try await engine.release(household.key, actor: "ops:a", at: Date()))
        #expect(try await !engine.release(household.key, actor: "ops:a", at: Date()), "not quarantined any more")
        let served = try await fixture.pulled([Self.gridA], after: seq)
        #expect(served.map(\.id) == [household.key.id] && served[0].seq > seq)
        #expect(try await engine.quarantined().isEmpty)
        await fixture.opened.close()
    }

    @Test("conflicts are listed oldest first, with each replica's latest clock, and resolve at their version", arguments: StoreKind.available)
    func conflicts(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind, workers: ["w-1": [Self.gridA], "w-2": [Self.gridA]])
        let (one, two) = (fixture.devices[0], fixture.devices[1])
        var first = Terminal(replica: one.replicaID), second = Terminal(replica: two.replicaID)
        let household = Sample.household("hh-1", grid: Self.gridA)
        let created = try first.create(household)
        _ = try await fixture.push([created], by: one, scope: [Self.gridA])
        second.receive(try #require(first.states[household.key]), for: household.key)
        let notes = FieldPath("notes")!
        _ = try await fixture.push([try first.write([notes: "一"], to: household.key)], by: one, scope: [Self.gridA])
        let results = try await fixture.push([try second.write([notes: "二"], to: household.key)], by: two, scope: [Self.gridA])
        #expect(results[0].outcome == .conflict)
        let engine = fixture.engine
        #expect(try await engine.conflicts(under: GridPath("futian/shatou")!, kind: .household).map(\.key) == [household.key])
        #expect(try await engine.conflicts(under: Self.gridB, kind: nil).isEmpty)
        #expect(try await engine.conflicts(under: nil, kind: .patrol).isEmpty)
        #expect(Set(try await engine.latestClocks(of: household.key).keys) == [one.replicaID, two.replicaID])
        let status = try await engine.fleetStatus(now: Date(), dayStart: Date().addingTimeInterval(-3_600))
        #expect(status.streets.map(\.openConflicts) == [1] && status.streets[0].terminals == 2 && status.streets[0].changesToday == 3)
        let stored = try #require(try await engine.record(household.key))
        let replica = try await engine.serverReplica()
        await #expect(throws: StoreError(.versionChanged)) {
            try await engine.resolve(household.key, expectedVersion: stored.seq - 1, actor: "ops:a") { _ in throw StoreError(.invalid("unused")) }
        }
        let resolved = try await engine.resolve(household.key, expectedVersion: stored.seq, actor: "ops:a") { record in
            try record.resolution(.set([notes: "三"]), by: replica, id: ChangeID("res-1")!, note: EngineModel.opsNote)
        }
        #expect(!resolved.state.isInConflict && resolved.seq > stored.seq)
        #expect(try await engine.conflicts(under: nil, kind: nil).isEmpty)
        #expect(try await engine.record(household.key) == resolved)
        await fixture.opened.close()
    }

    @Test("what a refused change superseded is remembered once per dot", arguments: StoreKind.available)
    func refusals(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind)
        let key = RecordKey(kind: .household, id: RecordID("hh-1")!)
        let dot = Dot("r-a:3")!
        try await fixture.opened.store.write { transaction in
            try transaction.rememberRejected(key, dots: [dot], supersedes: [Dot("r-b:1")!, Dot("r-b:2")!])
            try transaction.rememberRejected(key, dots: [dot], supersedes: [Dot("r-c:9")!])
        }
        let remembered = try await fixture.opened.store.read { try $0.rejectedSupersedes(key, dot: dot) }
        #expect(remembered == [Dot("r-b:1")!, Dot("r-b:2")!])
        #expect(try await fixture.opened.store.read { try $0.rejectedSupersedes(key, dot: Dot("r-a:4")!) } == nil)
        await fixture.opened.close()
    }

    @Test("a work order's timing is kept and served with its record; orders are listed by kind under a grid", arguments: StoreKind.available)
    func workOrders(kind: StoreKind) async throws {
        let fixture = try await Fixture(kind, workers: ["李四": [Self.gridA, Self.gridA12]])
        let device = fixture.devices[0]
        var terminal = Terminal(replica: device.replicaID)
        var changes: [Change] = []
        for (id, grid) in [("wo-1", Self.gridA), ("wo-2", Self.gridA12), ("wo-3", Self.gridA)] {
            changes.append(try terminal.move(RecordKey(kind: .workOrder, id: RecordID(id)!), to: .reported, extra: Sample.workOrderReport(grid: grid)))
        }
        changes.append(try terminal.create(Sample.household("hh-1", grid: Self.gridA)))
        #expect(try await fixture.push(changes, by: device, scope: [Self.gridA, Self.gridA12]).allSatisfy { $0.outcome == .applied })

        let all = try await fixture.engine.workOrders(under: nil).map(\.key.id.rawValue)
        #expect(all == ["wo-1", "wo-2", "wo-3"])
        // grid-1 is not grid-12: a subtree, never a shared prefix.
        #expect(try await fixture.engine.workOrders(under: Self.gridA).map(\.key.id.rawValue) == ["wo-1", "wo-3"])
        let stored = try #require(try await fixture.engine.record(RecordKey(kind: .workOrder, id: RecordID("wo-1")!)))
        let timing = try #require(stored.timing)
        #expect(timing.received.count == 1 && timing.urgency == .red)
        let pulled = try await fixture.pulled([Self.gridA])
        let served = try #require(pulled.first { $0.key == stored.key }?.timing)
        #expect(try WireCoding.decode(CaseTiming.self, from: served) == timing)
        #expect(pulled.first { $0.kind == .household }?.timing == nil)
        await fixture.opened.close()
    }
}
