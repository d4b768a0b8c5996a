import Crypto
import FieldClient
import Foundation
import GridSyncCore
import GridSyncProtocol

/// The end-of-day checks. A district-wide observer terminal pulls everything through the
/// protocol, so the same checks run against the embedded server and against `--server`.
enum Invariants {
    static func check(_ simulation: Simulation, folder: URL) async throws -> SimulationReport {
        let terminals = await simulation.terminals
        let hierarchy = simulation.hierarchy
        let options = simulation.options
        let metrics = await simulation.metrics

        // The server's truth, as a terminal scoped to the whole district sees it.
        let first = terminals[0]
        let observer = try await Observer.pull(districts: hierarchy.districts, folder: folder, first: first)
        let server = observer.states

        var created: [ChangeID: Change] = [:]
        var rejected = Set<ChangeID>()
        var explained = true
        var pending = 0, bytesSent = 0, bytesReceived = 0, photosPending = 0
        var names: [ReplicaID: String] = [:]
        var parked: [RecordKey: [String]] = [:]
        var converged = true
        var divergent: [String] = []
        // Which server records each grid holds, computed once rather than per terminal.
        var byGrid: [GridPath: [RecordKey]] = [:]
        for (key, state) in server {
            for grid in Observer.grids(of: state) { byGrid[grid, default: []].append(key) }
        }
        // Deleted or erased by the day's lifecycle: gone from the server by design, and never
        // to be live again anywhere.
        let lifecycle = await simulation.lifecycle, lifecycleRun = await simulation.lifecycleRun
        let removed = lifecycle?.removedKeys ?? []
        var liveAgain = Set<RecordKey>()
        for key in removed where server[key].map({ !$0.isTombstoned }) ?? false { liveAgain.insert(key) }
        for terminal in terminals {
            for change in await terminal.created { created[change.id] = change }
            let status = try await terminal.status()
            pending += status.pendingChanges
            photosPending += status.photosPending
            bytesSent += status.bytesSent
            bytesReceived += status.bytesReceived
            for refusal in status.rejected {
                rejected.insert(refusal.change.id)
                parked[refusal.change.record, default: []].append(refusal.code)
                if refusal.code.isEmpty || refusal.message.isEmpty { explained = false }
            }
            for (generation, replica) in await terminal.replicas.enumerated() { names[replica] = "\(terminal.profile.worker)#\(generation)" }
            // Every record in the terminal's grid must be exactly the server's.
            let local = try await terminal.replica()
            for key in removed where local[key].map({ !$0.isTombstoned }) ?? false { liveAgain.insert(key) }
            let grid = terminal.profile.grid
            let inScope = Dictionary(uniqueKeysWithValues: Set(byGrid.filter { $0.key.isWithin(grid) }.values.joined()).map { ($0, server[$0]!) })
            // A tombstone the handset keeps of a record the server has since purged is no divergence.
            let localInScope = local.filter { entry in
                Observer.grids(of: entry.value).contains { $0.isWithin(grid) } && !(server[entry.key] == nil && entry.value.isTombstoned)
            }
            if Set(inScope.keys) != Set(localInScope.keys) || inScope.contains(where: { localInScope[$0.key] != $0.value }) {
                converged = false
                if divergent.count < 5 { divergent.append("\(terminal.profile.worker): \(inScope.count) records on server, \(localInScope.count) local") }
            }
            if await simulation.restsIdleClients { await terminal.rest() }
        }
        if pending > 0 { converged = false }

        var onServer = 0, kept = 0
        for change in created.values where !rejected.contains(change.id) && !removed.contains(change.record) {
            kept += 1
            if let state = server[change.record], change.dots.allSatisfy(state.context.contains) { onServer += 1 }
        }
        let lost = kept - onServer
        let duplicated = try await duplicatedOnServer(simulation)

        let expected = await simulation.ledger.expectedConflicts()
        var detected = Set<FieldKey>()
        for (key, state) in server where key.kind == .household {
            for field in state.conflictingFields where SharedField.all.contains(field) { detected.insert(FieldKey(record: key, field: field)) }
        }
        let silent = expected.subtracting(detected)
        let unexpected = detected.subtracting(expected)

        let selfConflicts = server.values.reduce(0) { $0 + Self.selfConflicts(in: $1, names: names) }
        let unluckyOutcome = simulation.unlucky.cases.isEmpty ? nil : simulation.unlucky.check(server, parked: parked)

        let latency = metrics.latency
        let stormSeconds = metrics.largestStorm.seconds
        var workOrders: WorkOrderFigures?
        if let load = await simulation.caseLoad, simulation.scenario.workOrders.perDay > 0 {
            workOrders = try await WorkOrderFigures.check(load, server: server, admin: first.contextValue.admin)
        }
        var report = SimulationReport(
            terminals: terminals.count, changesCreated: created.count, changesOnServer: onServer, lost: lost, duplicated: duplicated,
            silentOverwrites: silent.count, conflictsExpected: expected.count, conflictsDetected: detected.count,
            unexpectedConflicts: unexpected.count, converged: converged, stormSeconds: stormSeconds,
            syncLatencyMS: .init(p50: Double(latency.valueAtPercentile(50)) / 1_000, p95: Double(latency.valueAtPercentile(95)) / 1_000,
                                 p99: Double(latency.valueAtPercentile(99)) / 1_000),
            requestsFailedPermanently: rejected.count, rejectionsExplained: explained, seed: options.seed,
            stateDigest: digest(server, names: names), recordsOnServer: server.count,
            stormChangesPerSecond: stormSeconds > 0 ? Double(metrics.largestStormChanges) / stormSeconds : 0,
            bytesSent: bytesSent, bytesReceived: bytesReceived, retries: metrics.retries, errorsByKind: metrics.errors,
            reinstalls: metrics.reinstalls, serverRestarts: await simulation.cluster?.restarts ?? 0,
            selfConflicts: selfConflicts, unlucky: unluckyOutcome?.figures,
            notes: divergent + silent.sorted().prefix(5).map { "not in conflict on the server: \($0)" }
                + unexpected.sorted().prefix(5).map { "conflict with no concurrent edit: \($0)" } + (unluckyOutcome?.notes ?? []))
        report.workOrders = workOrders
        report.latencyHistogramMS = Self.buckets(upTo: Double(latency.max) / 1_000, count: 24) { from, to in
            Int(latency.count(within: UInt64(from * 1_000)...UInt64(max(from * 1_000, to * 1_000 - 1))))
        }
        let perTerminal = Array(metrics.syncSecondsByTerminal.values)
        report.terminalsBySyncSeconds = Self.buckets(upTo: perTerminal.max() ?? 0, count: 16) { from, to in
            perTerminal.filter { $0 >= from && $0 < to }.count
        }
        var byStreet: [String: Int] = [:]
        for key in Set(detected.map(\.record)) {
            guard let street = server[key].flatMap({ Observer.grids(of: $0).first })?.parent?.parent else { continue }
            byStreet[street.description, default: 0] += 1
        }
        report.conflictsByStreet = byStreet
        if let lifecycle, let lifecycleRun {
            report.lifecycle = try await LifecycleFigures.check(lifecycle, run: lifecycleRun, server: server, liveAgain: liveAgain, parked: parked,
                                                                admin: first.contextValue.admin, folder: folder,
                                                                log: await simulation.cluster?.capturedLog)
        }
        if simulation.scenario.photos.any {
            report.photos = try await PhotoFigures.check(server: server, admin: first.contextValue.admin, pending: photosPending,
                                                         inventory: try await simulation.cluster?.blobDigests(),
                                                         link: await simulation.photoLink?.tally)
        }
        return report
    }

    /// `count` equal bars from 0 to just above `largest`, each counted by `count(from, to)`.
    static func buckets(upTo largest: Double, count: Int, _ counted: (Double, Double) -> Int) -> [SimulationReport.Bucket] {
        let width = max(largest * 1.0001, 0.001) / Double(count)
        return (0..<count).map { index in
            let from = Double(index) * width, to = Double(index + 1) * width
            return SimulationReport.Bucket(from: from, to: to, count: counted(from, to))
        }
    }

    /// Fields of one record holding differing values written by the same worker's handsets
    /// (every generation of one terminal): nobody may be in conflict with himself.
    static func selfConflicts(in state: RecordState, names: [ReplicaID: String]) -> Int {
        var count = 0
        for values in state.entries.values where Set(values.values).count > 1 {
            let byWorker = Dictionary(grouping: values, by: { dot in
                names[dot.key.replica].map { String($0.split(separator: "#").first!) } ?? dot.key.replica.rawValue
            })
            if byWorker.values.contains(where: { Set($0.map(\.value)).count > 1 }) { count += 1 }
        }
        return count
    }

    /// Change ids the server applied more than once, asked of the store the simulator's own
    /// servers used; against `--server` the dots check above stands alone.
    static func duplicatedOnServer(_ simulation: Simulation) async throws -> Int {
        try await simulation.cluster?.changesAppliedTwice() ?? 0
    }

    /// SHA-256 over every record in key order, with replica ids replaced by the worker and
    /// generation they belong to, which the seed fixes and the server's random ids do not.
    static func digest(_ states: [RecordKey: RecordState], names: [ReplicaID: String]) -> String {
        var hasher = SHA256()
        for key in states.keys.sorted() {
            hasher.update(data: Data("\(key)\n".utf8))
            hasher.update(data: CompactJSON.encode(rename(states[key]!, names)))
            hasher.update(data: Data("\n".utf8))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func rename(_ state: RecordState, _ names: [ReplicaID: String]) -> RecordState {
        func replica(_ id: ReplicaID) -> ReplicaID { names[id].flatMap { ReplicaID($0.replacingOccurrences(of: "#", with: ".g")) } ?? id }
        func dot(_ dot: Dot) -> Dot { Dot(replica: replica(dot.replica), counter: dot.counter) }
        func clock(_ clock: VectorClock) -> VectorClock {
            VectorClock(Dictionary(clock.counters.map { (replica($0.key), $0.value) }, uniquingKeysWith: max))
        }
        let entries = state.entries.mapValues { values in Dictionary(values.map { (dot($0.key), $0.value) }, uniquingKeysWith: { first, _ in first }) }
        return RecordState(entries: entries, context: CausalContext(compact: clock(state.context.compact), cloud: Set(state.context.cloud.map(dot))),
                           clock: clock(state.clock))
    }
}

/// A terminal scoped to the whole district, used only to read the server's state.
enum Observer {
    struct View { let states: [RecordKey: RecordState] }

    static func pull(districts: [GridPath], folder: URL, first: SimTerminal) async throws -> View {
        let context = await first.contextForObserver()
        let client = try FieldClient(path: folder.appendingPathComponent("observer.sqlite").path,
                                     transport: context.transport(start: 0))
        try await client.enroll(code: try await context.admin.enrollmentCode(worker: "district-observer", grids: districts, key: "\(context.runID)-observer"))
        try await client.sync()
        return View(states: try await client.replicaStates())
    }

    static func grids(of state: RecordState) -> [GridPath] {
        (state.entries[FieldPath("grid")!]?.values.compactMap { $0.stringValue.flatMap(GridPath.init) }) ?? []
    }
}

extension SimTerminal {
    func contextForObserver() -> Context { contextValue }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
