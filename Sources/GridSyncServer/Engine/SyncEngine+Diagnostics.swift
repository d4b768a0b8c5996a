import Foundation
import GridSyncCore
import GridSyncProtocol

/// When a terminal counts as needing a look (`gridsync devices failing`). The figures are a
/// command centre's rules of thumb: a shift is 8 hours, a storm's outbox is tens of changes.
public struct DeviceHealthPolicy: Sendable, Hashable {
    /// No finished sync for this long: stale (also `DeviceSummary.stale`).
    public var staleAfter: TimeInterval = 24 * 3_600
    /// This many changes in its grids not yet pulled: lagging.
    public var laggingChanges = 50
    /// An outbox this deep, or holding a change this old: piling up.
    public var outboxDepth = 200
    public var oldestPending: TimeInterval = 6 * 3_600
    /// This many refused or failed requests in 24 hours: failing.
    public var failingRequests = 3

    public init() {}
}

/// One terminal's health as the server sees it.
public struct DeviceHealth: Sendable {
    public var device: DeviceRecord
    public var scope: [GridPath]
    /// Changes in its grids above its last complete pull; `nil` before its first.
    public var cursorLag: Int?
    /// Its refused (4xx) and failed (5xx) requests in the last 24 hours.
    public var refusals: RefusalCount
    public var problems: [DeviceProblem]
}

extension SyncEngine {
    /// The health of every device, or of those in `ids`, in one read: a command centre asks
    /// for the whole fleet's twice a day.
    public func health(of ids: Set<String>? = nil, now: Date, policy: DeviceHealthPolicy = DeviceHealthPolicy()) async throws -> [DeviceHealth] {
        try await store.read { transaction in
            let refusals = try transaction.refusalCounts(since: now.addingTimeInterval(-24 * 3_600))
            var scopes = WorkerScopes(transaction)
            var health: [DeviceHealth] = []
            for device in try transaction.devices() where ids?.contains(device.id) ?? true {
                let scope = try scopes.of(device.worker)
                let lag = try device.pulledSeq.map { try transaction.changedCount(within: scope, seqAfter: $0) }
                let counted = refusals[device.id] ?? RefusalCount()
                health.append(DeviceHealth(device: device, scope: scope, cursorLag: lag, refusals: counted,
                                           problems: policy.problems(of: device, lag: lag, refusals: counted, now: now)))
            }
            return health
        }
    }

    /// Forgets refusals older than a day: only the last 24 hours are ever shown.
    public func forgetRefusals(now: Date) async throws {
        try await store.write { try $0.forgetRefusals(before: now.addingTimeInterval(-24 * 3_600)) }
    }

    /// Notes a request of the device the server refused or failed.
    public func noteRefusal(deviceID: String, server: Bool, at: Date) async throws {
        try await store.write { try $0.noteRefusal(deviceID: deviceID, server: server, at: at) }
    }
}

extension DeviceHealthPolicy {
    /// The problems of one terminal, worst first, each in one line that says what is wrong.
    public func problems(of device: DeviceRecord, lag: Int?, refusals: RefusalCount, now: Date) -> [DeviceProblem] {
        let refused = refusals.client + refusals.server
        if device.status == .revoked {
            return refused > 0
                ? [DeviceProblem(kind: .revoked, reason: "revoked, and still calling: \(refused) requests refused in 24 h; take the handset back or enrol it again")]
                : []
        }
        guard device.status == .active else { return [] }
        var problems: [DeviceProblem] = []
        let report = device.report
        if refused >= failingRequests {
            var reason = "\(refusals.client) requests refused (4xx) and \(refusals.server) failed (5xx) in 24 h"
            if let kind = report?.lastErrorKind { reason += "; the handset's last error: \(kind)" }
            problems.append(DeviceProblem(kind: .failing, reason: reason))
        }
        let heard = device.lastSyncAt ?? device.enrolledAt
        if let heard, now.timeIntervalSince(heard) > staleAfter {
            let since = Self.span(now.timeIntervalSince(heard))
            problems.append(DeviceProblem(kind: .stale, reason: device.lastSyncAt == nil ? "enrolled \(since) ago and never synced" : "no finished sync for \(since)"))
        }
        if let parked = report?.parkedChanges, parked > 0 {
            problems.append(DeviceProblem(kind: .parked, reason: "\(parked) change\(parked == 1 ? "" : "s") refused for good, parked on the handset for a person"))
        }
        let depth = report?.pendingChanges ?? device.pendingChanges ?? 0
        let oldest = report?.oldestPendingSeconds.map(TimeInterval.init) ?? 0
        if depth >= outboxDepth || oldest >= oldestPending {
            var reason = "outbox of \(depth) changes"
            if oldest > 0 { reason += ", the oldest made \(Self.span(oldest)) ago" }
            problems.append(DeviceProblem(kind: .outbox, reason: reason))
        }
        if let lag, lag >= laggingChanges {
            problems.append(DeviceProblem(kind: .lagging, reason: "\(lag) changes in its grids not pulled yet"))
        }
        return problems
    }

    /// `26 h`, `3 d`: how long, as a person says it.
    static func span(_ seconds: TimeInterval) -> String {
        if seconds >= 2 * 86_400 { return "\(Int(seconds / 86_400)) d" }
        if seconds >= 3_600 { return "\(Int(seconds / 3_600)) h" }
        return "\(max(1, Int(seconds / 60))) min"
    }
}

extension TerminalReport {
    /// A push's `device` member as kept: the clock skew read against the server's receipt.
    init(_ report: DeviceReport, receivedAt: Date) {
        self.init(reportedAt: receivedAt, pendingChanges: report.pendingChanges, oldestPendingSeconds: report.oldestPendingSeconds,
                  parkedChanges: report.parkedChanges, lastErrorKind: report.lastErrorKind, freeStorageBytes: report.freeStorageBytes,
                  appVersion: report.appVersion.map { String($0.prefix(32)) },
                  clockSkewSeconds: report.deviceTime.map { ($0.timeIntervalSince(receivedAt) * 1_000).rounded() / 1_000 })
    }
}
