import Foundation
import GridSyncProtocol

/// What `--report-json` writes. Key names are stable: scripts and CI read them.
public struct SimulationReport: Codable, Sendable {
    public struct Latency: Codable, Sendable {
        public let p50: Double
        public let p95: Double
        public let p99: Double
    }

    public let terminals: Int
    public let changesCreated: Int
    public let changesOnServer: Int
    public let lost: Int
    public let duplicated: Int
    public let silentOverwrites: Int
    public let conflictsExpected: Int
    public let conflictsDetected: Int
    /// Conflicts where the edits were causally ordered: must be zero.
    public let unexpectedConflicts: Int
    public let converged: Bool
    /// Wall time of the largest storm, first request to last response.
    public let stormSeconds: Double
    public let syncLatencyMS: Latency
    public let requestsFailedPermanently: Int
    public let rejectionsExplained: Bool
    public let seed: UInt64
    public let stateDigest: String
    public let recordsOnServer: Int
    public let stormChangesPerSecond: Double
    public let bytesSent: Int
    public let bytesReceived: Int
    public let retries: Int
    public let errorsByKind: [String: Int]
    public let reinstalls: Int
    public let serverRestarts: Int
    /// Fields holding differing values written by one worker's own handsets: must be zero.
    public let selfConflicts: Int
    /// The hostile and unlucky mix, when the scenario has it.
    public let unlucky: Unlucky?
    public var notes: [String]
    /// Where the server kept its data (`sqlite`, `postgres`, or `external` for `--server`), and
    /// how many instances served the day.
    public var store = "sqlite"
    public var instances = 1
    /// The closed loop, when the scenario has work orders.
    public var workOrders: WorkOrderFigures?
    public var photos: PhotoFigures?
    /// Deletions, the purge and the erasure, when the scenario has them.
    public var lifecycle: LifecycleFigures?
    /// The day second by second: requests, changes and errors, and when each phase began.
    public var timeline: DayTimeline?
    /// How the storms' sync latencies spread (milliseconds), and the terminals by the seconds
    /// each spent syncing in them: what the HTML report draws.
    public var latencyHistogramMS: [Bucket]?
    public var terminalsBySyncSeconds: [Bucket]?
    /// Records in conflict at the end of the day, per street.
    public var conflictsByStreet: [String: Int]?

    /// One bar of a histogram: values in `from..<to`.
    public struct Bucket: Codable, Sendable, Hashable {
        public var from: Double
        public var to: Double
        public var count: Int
    }

    /// What the hostile and unlucky mix did, case by case (see `UnluckyDay`).
    public struct Unlucky: Codable, Sendable, Hashable {
        public var cases = 0
        /// Changes refused by the server in the middle of an outbox.
        public var rejectedMidQueue = 0
        /// Edits after a refused one that the server holds cleanly, with no conflict.
        public var followedRejections = 0
        /// Delete conflicts where ops overruled the delete: the whole record came back and kept the later edit.
        public var overruledDeletes = 0
        /// Deleted households brought back whole by their worker after ops kept the delete.
        public var revivals = 0

        enum CodingKeys: String, CodingKey {
            case cases, revivals
            case rejectedMidQueue = "rejected_mid_queue", followedRejections = "followed_rejections", overruledDeletes = "overruled_deletes"
        }

        public var passed: Bool {
            rejectedMidQueue == cases && followedRejections == cases && overruledDeletes + revivals == cases
        }
    }

    enum CodingKeys: String, CodingKey {
        case terminals, lost, duplicated, converged, seed, retries, reinstalls, notes, unlucky, store, instances
        case workOrders = "work_orders", photos, lifecycle, timeline
        case latencyHistogramMS = "latency_histogram_ms", terminalsBySyncSeconds = "terminals_by_sync_seconds", conflictsByStreet = "conflicts_by_street"
        case selfConflicts = "self_conflicts"
        case changesCreated = "changes_created", changesOnServer = "changes_on_server", silentOverwrites = "silent_overwrites"
        case conflictsExpected = "conflicts_expected", conflictsDetected = "conflicts_detected", unexpectedConflicts = "unexpected_conflicts"
        case stormSeconds = "storm_seconds", syncLatencyMS = "sync_latency_ms", requestsFailedPermanently = "requests_failed_permanently"
        case rejectionsExplained = "rejections_explained", stateDigest = "state_digest", recordsOnServer = "records_on_server"
        case stormChangesPerSecond = "storm_changes_per_second", bytesSent = "bytes_sent", bytesReceived = "bytes_received"
        case errorsByKind = "errors_by_kind", serverRestarts = "server_restarts"
    }

    /// Every invariant the simulator promises.
    public var passed: Bool {
        lost == 0 && duplicated == 0 && silentOverwrites == 0 && unexpectedConflicts == 0 && converged && rejectionsExplained
            && conflictsDetected == conflictsExpected && selfConflicts == 0 && (unlucky?.passed ?? true) && (workOrders?.passed ?? true)
            && (photos?.passed ?? true) && (lifecycle?.passed ?? true)
    }

    public func summary() -> String {
        var lines: [String] = []
        func row(_ name: String, _ value: String) { lines.append(name.padding(toLength: 30, withPad: " ", startingAt: 0) + value) }
        row("terminals", "\(terminals)")
        row("store / instances", "\(store) / \(instances)")
        row("changes created / on server", "\(changesCreated) / \(changesOnServer)")
        row("lost / duplicated", "\(lost) / \(duplicated)")
        row("conflicts expected / detected", "\(conflictsExpected) / \(conflictsDetected)")
        row("silent overwrites", "\(silentOverwrites)")
        row("unexpected conflicts", "\(unexpectedConflicts)")
        row("in conflict with oneself", "\(selfConflicts)")
        if let unlucky {
            row("unlucky: refused / followed", "\(unlucky.rejectedMidQueue) / \(unlucky.followedRejections) of \(unlucky.cases)")
            row("unlucky: overruled / revived", "\(unlucky.overruledDeletes) / \(unlucky.revivals) of \(unlucky.cases)")
        }
        if let orders = workOrders {
            row("orders planned / stored", "\(orders.planned) / \(orders.onServer), illegal states \(orders.illegal)")
            row("orders raced", "\(orders.racesPredicted) predicted / \(orders.racesDetected) detected / \(orders.racesSettled) settled")
            row("orders closed", "\(orders.closed), closure rate " + (orders.closureRate.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a"))
            row("orders open w/o deadline", "\(orders.openWithoutDeadline); off the server clock \(orders.deadlinesOffServerClock)")
            row("orders: handset clock skew", String(format: "up to %.1f h, ignored", orders.largestHandsetSkewHours))
            func byColour(_ counts: [String: Int]) -> String {
                counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            }
            row("orders overdue by colour", byColour(orders.overdueByUrgency) + "; met a step late: " + byColour(orders.lateByUrgency))
            row("orders: median to step", CaseStep.allCases.compactMap { step in
                orders.medianSecondsToStep[step.rawValue].map { String(format: "%@ %.0f s", step.rawValue, $0) } }.joined(separator: ", "))
            for note in orders.notes { lines.append("  ! " + note) }
        }
        if let photos {
            row("photos named / bytes", "\(photos.named) / \(photos.bytes), \(photos.sharedByRecords) named by several records")
            row("photos missing / damaged", "\(photos.missing) / \(photos.damaged); stored twice \(photos.storedTwice); pending on handsets \(photos.pendingOnHandsets)")
            row("photo link cuts / bytes up", "\(photos.cuts) / \(photos.bytesUp)")
            if let p50 = photos.latencyRatioP50, let p95 = photos.latencyRatioP95 {
                row("record latency w/ photos", String(format: "p50 %.2f×, p95 %.2f× of the day without (at most %.2f×)", p50, p95, PhotoFigures.latencyAllowance))
            }
            if let days = photos.comparedDays, !days.isEmpty {
                for photos in [false, true] {
                    row(photos ? "  days with photos p50/p95" : "  days without p50/p95",
                        days.filter { $0.photos == photos }.map { String(format: "%.0f/%.0f", $0.p50, $0.p95) }.joined(separator: ", ") + " ms")
                }
            }
        }
        if let lifecycle {
            row("deleted / purged", "\(lifecycle.deleted) / \(lifecycle.purged); resurrected \(lifecycle.resurrected)")
            row("late edits refused / rebases", "\(lifecycle.lateEditsRefused) record_purged / \(lifecycle.rebaseDue) terminals due a rebase")
            row("erasures / pending terminals", "\(lifecycle.erasures) / \(lifecycle.erasurePending) of \(lifecycle.erasureTerminals)")
            row("erased values found", "\(lifecycle.canaryHitsBefore) places before, \(lifecycle.canaryHitsAfter) after")
            for note in lifecycle.notes { lines.append("  ! " + note) }
        }
        row("converged", converged ? "yes" : "NO")
        row("largest storm", String(format: "%.2f s, %.0f changes/s", stormSeconds, stormChangesPerSecond))
        row("sync latency p50/p95/p99", String(format: "%.0f / %.0f / %.0f ms", syncLatencyMS.p50, syncLatencyMS.p95, syncLatencyMS.p99))
        row("bytes sent / received", "\(bytesSent) / \(bytesReceived)")
        row("retries", "\(retries)")
        row("errors by kind", errorsByKind.isEmpty ? "none" : errorsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        row("rejected (parked)", "\(requestsFailedPermanently)")
        row("re-installs / server restarts", "\(reinstalls) / \(serverRestarts)")
        row("records on server", "\(recordsOnServer)")
        row("seed / state digest", "\(seed) / \(stateDigest.prefix(16))…")
        for note in notes { lines.append("  ! " + note) }
        lines.append(passed ? "PASS: nothing lost, duplicated or silently overwritten; every replica converged"
                            : "FAIL: an invariant does not hold")
        return lines.joined(separator: "\n")
    }
}
