import FieldClient
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol
import GridSyncServer

/// The data lifecycle at the end of a day (Protocol/README.md, "Tombstone retention" and
/// "Erasure"), played on top of the rounds: grid workers delete households while some cadres
/// sharing those grids are away and edit them offline; ops erase one household on request;
/// the housekeeping run of a month later purges the tombstones; then the cadres come back.
///
/// Afterwards no deleted household may be live anywhere (server or handset), every active
/// terminal in the erased household's scope must have confirmed the erasure, and no file the
/// day wrote (server database and log, every handset's replica) nor the server's log may hold
/// any of the erased household's values.
struct LifecycleDay: Sendable {
    let load: Scenario.Lifecycle
    /// Households deleted, by grid worker terminal index.
    let deletions: [(terminal: Int, key: RecordKey)]
    /// Cadres away during the lifecycle, each with the household it edits offline meanwhile.
    let away: [(terminal: Int, key: RecordKey)]
    /// The household erased, its grid worker and the cadre who holds it too, if any.
    let erasure: (worker: Int, cadre: Int?, key: RecordKey)?
    let canaries: [String]

    /// Picks the day's deletions among households no conflict is expected on, in grids whose
    /// terminals were online and installed all day, so that what must happen is known.
    init(load: Scenario.Lifecycle, simulation: Simulation, steady: Set<Int>, expectedConflicts: Set<RecordKey>, seed: UInt64) async {
        self.load = load
        let terminals = await simulation.terminals
        let hierarchy = simulation.hierarchy
        let householdsPerGrid = simulation.scenario.householdsPerGrid
        var cadreOf: [GridPath: Int] = [:]
        for terminal in terminals where terminal.profile.isCadre && steady.contains(terminal.index) { cadreOf[terminal.profile.grid] = terminal.index }
        var random = SplitMix64(seed: seed ^ 0x11fe)
        let workers = terminals.filter { !$0.profile.isCadre && steady.contains($0.index) }
        var deletions: [(Int, RecordKey)] = [], away: [(Int, RecordKey)] = []
        var erasure: (Int, Int?, RecordKey)?
        // Every grid with a cadre first, so that deletions meet away cadres; then the rest.
        let ordered = workers.filter { cadreOf[$0.profile.grid] != nil } + workers.filter { cadreOf[$0.profile.grid] == nil }
        for worker in ordered {
            if deletions.count >= load.deletions && (erasure != nil || load.erasures == 0) { break }
            guard let grid = hierarchy.grids.firstIndex(of: worker.profile.grid) else { continue }
            let candidates = (0..<householdsPerGrid).map { RecordKey(kind: .household, id: SimTerminal.householdID(grid: grid, number: $0)) }
                .filter { !expectedConflicts.contains($0) }
            guard !candidates.isEmpty else { continue }
            let pick = candidates[Int(random.next() % UInt64(candidates.count))]
            let cadre = cadreOf[worker.profile.grid]
            if erasure == nil && load.erasures > 0, let cadre {
                // The erased household's grid has a cadre, who holds it too and edits it while away.
                erasure = (worker.index, cadre, pick)
                away.append((cadre, pick))
            } else if deletions.count < load.deletions {
                deletions.append((worker.index, pick))
                if let cadre, random.chance(load.awayShare) { away.append((cadre, pick)) }
            }
        }
        self.deletions = deletions
        self.away = away
        self.erasure = erasure
        // Canary values: well-formed, and found nowhere else in the day.
        canaries = ["金丝雀\(seed % 10_000)号", "1397\(String(format: "%07d", Int(seed % 10_000_000)))", IdentityCanary.number(seed: seed)]
    }

    var removedKeys: Set<RecordKey> { Set(deletions.map(\.key) + (erasure.map { [$0.key] } ?? [])) }

    /// Plays the lifecycle; returns what the checks need.
    func run(_ simulation: Simulation, admin: AdminClient, folder: URL) async throws -> LifecycleRun {
        let terminals = await simulation.terminals
        var run = LifecycleRun()
        if let erasure {
            await simulation.report("lifecycle: a household gets a resident's full details")
            try await terminals[erasure.worker].writeCanaries(erasure.key, canaries: canaries)
            try await simulation.settle(skipping: [])
            run.canaryHitsBefore = CanarySearch.hits(canaries, under: folder, logs: await simulation.cluster?.capturedLog).count
        }
        let awaySet = Set(away.map(\.terminal))
        await simulation.report("lifecycle: \(awaySet.count) cadres go away and edit offline; workers delete \(deletions.count) households")
        let wentAway = Date()
        for (terminal, key) in away { try await terminals[terminal].editAway(key, canary: key == erasure?.key ? canaries[1] : nil) }
        for (terminal, key) in deletions {
            if try await terminals[terminal].deleteHousehold(key) { run.deleted.insert(key) }
        }
        try await simulation.settle(skipping: awaySet)
        if let erasure {
            await simulation.report("lifecycle: the command centre erases \(erasure.key.id.rawValue) on request")
            run.erasure = try await admin.erase(erasure.key.id, reason: "本人申请删除 sim-\(simulation.options.seed)")
            try await simulation.settle(skipping: awaySet)
        }
        await simulation.report("lifecycle: a month on, housekeeping purges tombstones")
        // Everyone who stayed synced since the cadres left; those away fall silent past the limit.
        let silentLimit = Duration.seconds(Date().timeIntervalSince(wentAway) - 0.05)
        run.purge = try await simulation.cluster?.purgeTombstones(silentLimit: silentLimit)
        await simulation.report("lifecycle: the cadres come back")
        try await simulation.settle(skipping: [])
        try await simulation.settle(skipping: [])
        return run
    }
}

/// What the lifecycle did, for the checks.
struct LifecycleRun: Sendable {
    var deleted: Set<RecordKey> = []
    var erasure: ErasureReport?
    var purge: PurgeReport?
    var canaryHitsBefore = 0
}

/// Where an erased household's values could be left: every file under a folder (a server's
/// database, log and photos, each handset's replica) and a captured log. Each value is looked
/// for as UTF-8 and as JSON would escape it (`\u91d1`), so an encoder that escapes hides nothing.
public enum CanarySearch {
    public static func hits(_ canaries: [String], under folder: URL, logs: String?) -> [String] {
        let needles = canaries.map { canary in
            (canary, [Data(canary.utf8), Data(canary.unicodeScalars.map { $0.isASCII ? String($0) : String(format: "\\u%04x", $0.value) }.joined().utf8)])
        }
        var haystacks: [(String, Data)] = logs.map { [("the server log", Data($0.utf8))] } ?? []
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        while let file = files?.nextObject() as? URL {
            guard (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  let data = try? Data(contentsOf: file, options: .mappedIfSafe) else { continue }
            haystacks.append((file.lastPathComponent, data))
        }
        var hits: [String] = []
        for (canary, forms) in needles {
            for (name, data) in haystacks where forms.contains(where: { data.range(of: $0) != nil }) { hits.append("\(canary) in \(name)") }
        }
        return hits
    }
}

/// A resident ID number that passes the GB 11643 check, made from the seed.
enum IdentityCanary {
    static func number(seed: UInt64) -> String {
        let body = "440304" + "1950" + String(format: "%02d", Int(seed % 12) + 1) + "15" + String(format: "%03d", Int(seed % 1_000))
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let total = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return body + String(Array("10X98765432")[total % 11])
    }
}

/// The lifecycle's figures in the report.
public struct LifecycleFigures: Codable, Sendable, Hashable {
    /// Households deleted by their grid workers, and purged by the month-later housekeeping.
    public var deleted = 0
    public var purged = 0
    /// Deleted households live again on the server or on any handset: must be zero.
    public var resurrected = 0
    /// Late edits to deleted households refused `record_purged`, parked on the handsets.
    public var lateEditsRefused = 0
    /// Terminals marked due a rebase for their silence.
    public var rebaseDue = 0
    public var erasures = 0
    /// Active terminals in the erased household's scope that have not confirmed: must be zero.
    public var erasurePending = 0
    public var erasureTerminals = 0
    /// Where the erased values were before the erasure (at least one place, or the search
    /// proves nothing), and after (must be none).
    public var canaryHitsBefore = 0
    public var canaryHitsAfter = 0
    public var notes: [String] = []

    enum CodingKeys: String, CodingKey {
        case deleted, purged, resurrected, erasures, notes
        case lateEditsRefused = "late_edits_refused", rebaseDue = "rebase_due", erasurePending = "erasure_pending"
        case erasureTerminals = "erasure_terminals", canaryHitsBefore = "canary_hits_before", canaryHitsAfter = "canary_hits_after"
    }

    public var passed: Bool {
        resurrected == 0 && erasurePending == 0 && canaryHitsAfter == 0 && (erasures == 0 || canaryHitsBefore > 0)
            && (deleted == 0 || purged > 0)
    }
}

extension LifecycleFigures {
    /// The lifecycle's invariants, read from the server (through the observer and the admin
    /// API), every handset's replica and parked list, and every file the day wrote.
    static func check(_ day: LifecycleDay, run: LifecycleRun, server: [RecordKey: RecordState], liveAgain: Set<RecordKey>,
                      parked: [RecordKey: [String]], admin: AdminClient, folder: URL, log: String?) async throws -> LifecycleFigures {
        var figures = LifecycleFigures()
        figures.deleted = run.deleted.count
        figures.purged = run.deleted.filter { server[$0] == nil }.count
        figures.resurrected = liveAgain.count
        figures.lateEditsRefused = day.removedKeys.reduce(0) { $0 + (parked[$1] ?? []).filter { $0 == "record_purged" }.count }
        figures.rebaseDue = run.purge?.rebaseDue.count ?? 0
        figures.notes += liveAgain.sorted().prefix(5).map { "live again after its delete: \($0)" }
        if let erased = run.erasure {
            figures.erasures = 1
            let now = try await admin.erasures().erasures.first { $0.id == erased.id }
            figures.erasureTerminals = now?.terminals.count ?? 0
            figures.erasurePending = now?.pending.count ?? erased.terminals.count
            figures.notes += (now?.pending ?? []).prefix(5).map { "erasure not confirmed by \($0.deviceId) (\($0.worker))" }
            figures.canaryHitsBefore = run.canaryHitsBefore
            let hits = CanarySearch.hits(day.canaries, under: folder, logs: log)
            figures.canaryHitsAfter = hits.count
            figures.notes += hits.prefix(5).map { "erased value left: \($0)" }
            if run.canaryHitsBefore == 0 { figures.notes.append("the erased values were found nowhere before the erasure: the search proves nothing") }
        }
        return figures
    }
}
