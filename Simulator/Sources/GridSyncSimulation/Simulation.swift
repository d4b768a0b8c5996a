import FieldClient
import Foundation
import GridSyncAdmin
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GridSyncCore
import GridSyncPostgres
import GridSyncProtocol
import GridSyncServer
import Histogram

/// Options that are not part of the scenario: where the server is and what to print.
public struct SimulationOptions: Sendable {
    public var seed: UInt64 = 7
    /// Running server instances to load-test (behind the simulator's load balancer when
    /// several); empty starts servers here.
    public var servers: [URL] = []
    /// With no `servers`: run `instances` `gridsync-server` processes on a fresh database made
    /// on this PostgreSQL server (and dropped afterwards), instead of one embedded SQLite server.
    public var postgres: String?
    public var instances = 1
    public var adminToken: String?
    public var workFolder: URL?
    public var progress: (@Sendable (String) -> Void)?

    public init() {}
}

/// Drives a scenario's day through real field clients and a real server, then checks that
/// nothing was lost, duplicated or silently overwritten.
public actor Simulation {
    let scenario: Scenario
    let options: SimulationOptions
    let hierarchy: Hierarchy
    let unlucky: UnluckyDay
    let ledger = LedgerBox()
    var terminals: [SimTerminal] = []
    var metrics = RunMetrics()
    var settles = 0
    var cluster: (any ServerCluster)?
    /// The day's work orders, once it is known which terminals stay online all day.
    var caseLoad: CaseLoad?
    /// The cutting link photo uploads cross, on a day whose photos get cut.
    var photoLink: LinkProxy?
    /// The end of the day's deletions, purge and erasure, and what they did.
    var lifecycle: LifecycleDay?
    var lifecycleRun: LifecycleRun?
    /// Large days (a city) close each terminal's client between uses and bound how many are
    /// open in a storm; a district's day keeps every client open, as before.
    var restsIdleClients: Bool { scenario.closeIdleClients ?? (scenario.terminals > 2_000) }
    let openClients = Slots(1_500)
    /// What the day is doing, for the live progress line and the report's timeline.
    public nonisolated let meter = DayMeter()

    public init(scenario: Scenario, options: SimulationOptions) {
        self.scenario = scenario
        self.options = options
        hierarchy = Hierarchy(scenario)
        unlucky = UnluckyDay(count: scenario.unluckyGrids, hierarchy: hierarchy, householdsPerGrid: scenario.householdsPerGrid)
    }

    public func run() async throws -> SimulationReport {
        let folder = options.workFolder ?? FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if options.workFolder == nil { try? FileManager.default.removeItem(at: folder) } }

        let servers: [URL], adminToken: String
        var database: String?
        if !options.servers.isEmpty {
            guard let token = options.adminToken else { throw SimulationError("--server needs an admin token (--admin-token or GRIDSYNC_TOKEN)") }
            (servers, adminToken) = (options.servers, token)
        } else if let postgres = options.postgres {
            database = try await PostgresDatabases.create(on: postgres, prefix: "gridsync_sim")
            let processes = try await ServerProcesses(binary: ServerProcesses.siblingBinary(), postgres: database!, deadlines: scenario.workOrders.deadlines,
                                                      instances: options.instances, directory: folder.appendingPathComponent("servers"))
            cluster = processes
            (servers, adminToken) = (await processes.servers, await processes.adminToken)
        } else {
            let deadlines = try scenario.workOrders.deadlines.map { try DeadlinePolicy.parse(windows: $0, nearlyDue: nil) } ?? .standard
            let server = try await EmbeddedServer(directory: folder.appendingPathComponent("server"), deadlines: deadlines,
                                                  admission: scenario.admission.map(AdmissionPolicy.init) ?? AdmissionPolicy(),
                                                  capturingLog: scenario.lifecycle.erasures > 0)
            cluster = server
            (servers, adminToken) = (await server.servers, await server.adminToken)
        }
        defer {
            if let database, options.workFolder == nil { Task { try? await PostgresDatabases.drop(database) } }
        }
        let session = URLSessionTransport.makeSession(timeout: scenario.requestTimeoutSeconds, connections: scenario.connections)
        let admin = AdminClient(baseURL: servers[0], token: adminToken, session: session, attempts: 20)
        var context = SimTerminal.Context(folder: folder, servers: servers, session: session, admin: admin, seed: options.seed, faults: scenario.faults,
                                          runID: "sim-" + UUID().uuidString.prefix(8).lowercased())
        context.meter = meter
        if scenario.photos.any && scenario.photos.cutShare > 0, let port = servers[0].port {
            // Photo uploads cross a link that cuts some connections mid-chunk; records go straight.
            let link = try await LinkProxy.start(to: port, conditions: .init(
                cutProbability: scenario.photos.cutShare, cutWithinBytes: SyncLimits().blobChunkBytes + 1_024, seed: options.seed))
            photoLink = link
            context.photoLink = URL(string: "http://127.0.0.1:\(link.port)")!
            context.photoSession = URLSessionTransport.makeSession(timeout: scenario.requestTimeoutSeconds, connections: scenario.connections)
        }
        defer { if let link = photoLink { Task { await link.stop() } } }

        try await setUp(admin: admin, context: context)
        var random = SplitMix64(seed: options.seed)
        var offline = Set((0..<terminals.count).filter { _ in Double(random.next() >> 11) / Double(1 << 53) < scenario.offlineShare })
        var reinstalled = Set(offline.sorted().filter { _ in Double(random.next() >> 11) / Double(1 << 53) < scenario.reinstallShare / max(scenario.offlineShare, 0.0001) })
        // The unlucky grids' terminals stay online and installed, so their story runs as told.
        offline.subtract(unlucky.terminals)
        reinstalled.subtract(unlucky.terminals)
        // Work orders go to grid workers who are online and installed all day, so each order's
        // path through the loop runs as planned.
        let steady = terminals.indices.filter { index in
            !terminals[index].profile.isCadre && !offline.contains(index) && !reinstalled.contains(index) && !unlucky.terminals.contains(index)
        }
        caseLoad = CaseLoad(load: scenario.workOrders, terminals: hierarchy.terminals, eligible: steady, rounds: scenario.rounds, seed: options.seed)

        for round in 0..<scenario.rounds {
            let away = round == 0 && scenario.rounds > 1 ? offline : []
            if round == 1 {
                for index in reinstalled.sorted() {
                    try await terminals[index].reinstall(knownSettle: settles - 1)
                    metrics.reinstalls += 1
                }
            }
            report("round \(round + 1): working offline")
            try await work(round: round)
            if round == 0 { try await unlucky.firstRound(terminals, ledger: ledger) }
            if round == 1 { try await unlucky.secondRound(terminals, ledger: ledger) }
            let restartAt = round == scenario.rounds - 1 && cluster != nil ? scenario.faults.serverRestarts : 0
            report("round \(round + 1): sync storm", terminals: terminals.count - away.count)
            try await storm(round: round, skipping: away, restarts: restartAt)
            try await settle(skipping: away)
            try await caseLoad?.commandCentre(round: round, simulation: self, admin: admin, skipping: away)
            if round == 0 && !unlucky.cases.isEmpty {
                report("the command centre settles the delete conflicts")
                try await unlucky.resolve(admin: admin)
                try await settle(skipping: away)
            }
        }
        try await settle(skipping: [])
        if scenario.lifecycle.any {
            let everyone = Set(terminals.indices).subtracting(offline).subtracting(reinstalled).subtracting(unlucky.terminals)
            let day = await LifecycleDay(load: scenario.lifecycle, simulation: self, steady: everyone,
                                         expectedConflicts: Set(await ledger.expectedConflicts().map(\.record)), seed: options.seed)
            lifecycle = day
            lifecycleRun = try await day.run(self, admin: admin, folder: folder)
        }
        report("checking invariants")
        var result = try await Invariants.check(self, folder: folder)
        result.instances = servers.count
        result.timeline = meter.timeline

        result.store = options.servers.isEmpty ? (options.postgres == nil ? "sqlite" : "postgres") : "external"
        await cluster?.stop()
        if let database, options.workFolder == nil { try? await PostgresDatabases.drop(database) }
        return result
    }

    /// A new phase of the day: said once (`progress`), and shown live by the meter.
    func report(_ line: String, terminals: Int = 0) {
        meter.phase(line, terminals: terminals)
        options.progress?(line)
    }

    /// The hierarchy, every terminal enrolled, the households registered and seen by everyone.
    private func setUp(admin: AdminClient, context: SimTerminal.Context) async throws {
        report("importing \(hierarchy.grids.count) grids")
        let assignments = hierarchy.terminals.map { Assignment(worker: $0.worker, grids: [$0.grid]) }
        try await admin.replaceHierarchy(GridHierarchy(grids: hierarchy.districts.map { GridNode(path: $0) }, assignments: assignments))
        var random = SplitMix64(seed: options.seed ^ 0x5eed)
        let skewSeconds = scenario.clockSkewHours * 3_600
        for (index, profile) in hierarchy.terminals.enumerated() {
            let skew = skewSeconds == 0 ? 0 : (Double(random.next() >> 11) / Double(1 << 53) * 2 - 1) * skewSeconds
            terminals.append(SimTerminal(profile: profile, index: index, skew: skew, context: context))
        }
        report("enrolling \(terminals.count) terminals")
        try await forEachTerminal(parallel: 16) { terminal in try await terminal.enroll() }
        report("registering households")
        try await forEachTerminal(parallel: 8) { [hierarchy, scenario, ledger, unlucky] terminal in
            let profile = terminal.profile
            guard !profile.isCadre, let grid = hierarchy.grids.firstIndex(of: profile.grid) else { return }
            try await terminal.createHouseholds(gridIndex: grid, count: unlucky.households(gridIndex: grid, ordinary: scenario.householdsPerGrid),
                                                ledger: ledger)
        }
        try await settle(skipping: [])
    }

    private func work(round: Int) async throws {
        try await forEachTerminal(parallel: 8) { [hierarchy, scenario, ledger, options, caseLoad] terminal in
            guard let grid = hierarchy.grids.firstIndex(of: terminal.profile.grid) else { return }
            var random = SplitMix64(seed: options.seed &+ UInt64(terminal.index) &* 31 &+ UInt64(round) &* 1_000_033)
            try await terminal.work(round: round, gridIndex: grid, scenario: scenario, ledger: ledger, random: &random)
            if let plan = await caseLoad?.work(for: terminal.index, round: round), !(plan.report.isEmpty && plan.verify.isEmpty) {
                try await terminal.workOrders(report: plan.report, verify: plan.verify, round: round, photos: scenario.photos)
            }
        }
    }

    /// Every online terminal syncs within the storm window; one restart of the embedded server
    /// may land in the middle. Latency is measured per terminal sync.
    private func storm(round: Int, skipping away: Set<Int>, restarts: Int) async throws {
        let window = scenario.stormWindowSeconds
        var random = SplitMix64(seed: options.seed &+ UInt64(round) &* 97)
        let offsets = terminals.indices.map { _ in Double(random.next() >> 11) / Double(1 << 53) * window }
        let clock = ContinuousClock()
        let started = clock.now
        let rests = restsIdleClients, slots = openClients, photos = scenario.photos.any, meter = self.meter
        let outcomes = try await withThrowingTaskGroup(of: StormOutcome.self) { group in
            for (index, terminal) in terminals.enumerated() where !away.contains(index) {
                let offset = offsets[index]
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int(offset * 1_000)))
                    // Latency counts from the moment the terminal wanted to sync, waiting included.
                    let begin = clock.now
                    if rests { await slots.acquire() }
                    defer { if rests { Task { await terminal.rest(); await slots.release() } } }
                    do {
                        let report = try await terminal.sync(settle: nil)
                        let latency = clock.now - begin, end = clock.now
                        // Then the photos, as the app does after a sync: the records' latency
                        // above never includes them. A cut upload resumes at the settle.
                        if photos { _ = try? await terminal.uploadPhotos() }
                        meter.synced(pushed: report.pushed)
                        return StormOutcome(index: index, latency: latency, end: end, report: report, error: nil)
                    } catch {
                        let kind = String(describing: (error as? FieldClientError)?.code ?? .server)
                        meter.error(kind)
                        return StormOutcome(index: index, latency: clock.now - begin, end: clock.now, report: nil, error: kind)
                    }
                }
            }
            var outcomes: [StormOutcome] = []
            var restarted = 0
            for try await outcome in group {
                outcomes.append(outcome)
                if restarted < restarts, outcomes.count >= (terminals.count - away.count) * (restarted + 1) / (restarts + 1) {
                    restarted += 1
                    report(cluster is ServerProcesses ? "killing instance 1 (SIGKILL) mid-storm and starting it again" : "restarting the server mid-storm")
                    try await cluster?.restart(instance: 0)
                }
            }
            return outcomes
        }
        let duration = (outcomes.map(\.end).max() ?? started) - started
        metrics.record(storm: outcomes, duration: duration)
        for outcome in outcomes where outcome.error == nil {
            await ledger.pushed(lineage: terminals[outcome.index].profile.worker, visibleFrom: settles)
        }
    }

    /// After the storm, every online terminal syncs until it has pushed everything and pulled
    /// everything pushed before it: the point up to which each has seen everyone's work.
    func settle(skipping away: Set<Int>) async throws {
        let settle = settles
        let meter = self.meter
        for pass in 0..<4 {
            let pushed = Counter()
            meter.phase("settling: every online terminal syncs until nothing moves (pass \(pass + 1))", terminals: terminals.count - away.count)
            try await forEachTerminal(parallel: 32, skipping: away) { [ledger] terminal in
                var lastError: (any Error)?
                for _ in 0..<5 {
                    do {
                        let report = try await terminal.sync(settle: settle)
                        meter.synced(pushed: report.pushed)
                        await pushed.add(report.pushed)
                        await ledger.pushed(lineage: terminal.profile.worker, visibleFrom: settle)
                        return
                    } catch {
                        lastError = error
                        meter.error(String(describing: (error as? FieldClientError)?.code ?? .server))
                    }
                }
                throw SimulationError("terminal \(terminal.index) could not sync: \(lastError.map(String.init(describing:)) ?? "?")")
            }
            if await pushed.value == 0 && pass > 0 { break }
        }
        settles += 1
        // Then the photos the storm's handsets were told to hold back: once syncs stop, the
        // server takes them again within seconds.
        if scenario.photos.any {
            try await forEachTerminal(parallel: 32, skipping: away) { terminal in
                for attempt in 1...5 {
                    do { _ = try await terminal.uploadPhotos(waiting: true); return } catch where attempt < 5 { continue }
                }
            }
        }
    }

    func forEachTerminal(parallel: Int, skipping: Set<Int> = [], _ body: @escaping @Sendable (SimTerminal) async throws -> Void) async throws {
        let selected = terminals.enumerated().filter { !skipping.contains($0.offset) }.map(\.element)
        let rests = restsIdleClients
        let body: @Sendable (SimTerminal) async throws -> Void = { terminal in
            try await body(terminal)
            if rests { await terminal.rest() }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(parallel, selected.count) {
                let terminal = selected[next]
                next += 1
                group.addTask { try await body(terminal) }
            }
            while try await group.next() != nil {
                if next < selected.count {
                    let terminal = selected[next]
                    next += 1
                    group.addTask { try await body(terminal) }
                }
            }
        }
    }
}

struct StormOutcome: Sendable {
    let index: Int
    let latency: Duration
    let end: ContinuousClock.Instant
    let report: SyncReport?
    let error: String?
}

actor Counter {
    var value = 0
    func add(_ amount: Int) { value += amount }
}

/// Figures gathered while the day runs.
struct RunMetrics {
    var latency = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    var largestStorm: Duration = .zero
    var largestStormChanges = 0
    var retries = 0
    var errors: [String: Int] = [:]
    var reinstalls = 0
    var storms = 0
    /// Seconds each terminal spent in the storms' syncs, over the day.
    var syncSecondsByTerminal: [Int: Double] = [:]

    mutating func record(storm outcomes: [StormOutcome], duration: Duration) {
        storms += 1
        var changes = 0
        for outcome in outcomes {
            _ = latency.record(UInt64(max(0, outcome.latency.components.seconds * 1_000_000 + outcome.latency.components.attoseconds / 1_000_000_000_000)))
            syncSecondsByTerminal[outcome.index, default: 0] += outcome.latency / .seconds(1)
            changes += outcome.report?.pushed ?? 0
            retries += outcome.report?.retries ?? 0
            if let error = outcome.error { errors[error, default: 0] += 1 }
        }
        if duration > largestStorm {
            largestStorm = duration
            largestStormChanges = changes
        }
    }
}
