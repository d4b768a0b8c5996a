import Foundation
import GridSyncCore

/// What a terminal said of itself at its last push (``DeviceReport``), and how far its clock
/// was from the server's then. `Protocol/README.md`, "Admin: devices".
public struct TerminalReport: Codable, Sendable, Hashable {
    public var reportedAt: Date
    public var pendingChanges: Int?
    public var oldestPendingSeconds: Int?
    public var parkedChanges: Int?
    public var lastErrorKind: String?
    public var freeStorageBytes: Int64?
    public var appVersion: String?
    /// The handset's clock minus the server's, in seconds, when it pushed: shown only.
    public var clockSkewSeconds: Double?

    public init(reportedAt: Date, pendingChanges: Int? = nil, oldestPendingSeconds: Int? = nil, parkedChanges: Int? = nil,
                lastErrorKind: String? = nil, freeStorageBytes: Int64? = nil, appVersion: String? = nil, clockSkewSeconds: Double? = nil) {
        self.reportedAt = reportedAt
        self.pendingChanges = pendingChanges
        self.oldestPendingSeconds = oldestPendingSeconds
        self.parkedChanges = parkedChanges
        self.lastErrorKind = lastErrorKind
        self.freeStorageBytes = freeStorageBytes
        self.appVersion = appVersion
        self.clockSkewSeconds = clockSkewSeconds
    }
}

/// Why a terminal needs looking at: one line per problem.
public struct DeviceProblem: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// No finished sync for 24 hours.
        case stale
        /// Many changes in its grids it has not pulled.
        case lagging
        /// Its outbox piles up: many changes, or old ones.
        case outbox
        /// Changes refused for good, waiting for a person on the handset.
        case parked
        /// Its requests keep being refused (4xx) or failing (5xx).
        case failing
        /// Revoked, and still calling.
        case revoked
    }

    public var kind: Kind
    public var reason: String

    public init(kind: Kind, reason: String) {
        self.kind = kind
        self.reason = reason
    }
}

/// `GET /v1/admin/devices/{deviceId}`: everything the server knows of one terminal's health.
public struct DeviceDetail: Codable, Sendable, Hashable {
    public var summary: DeviceSummary
    /// The last push the server committed, and the last pull that ran to the end.
    public var lastPushAt: Date?
    public var lastPullAt: Date?
    /// Changes in the terminal's grids since its last complete pull; absent before its first.
    public var cursorLag: Int?
    /// Requests of this terminal answered 4xx (but 429) and 5xx (but 503) in the last 24 hours.
    public var clientErrors24h: Int
    public var serverErrors24h: Int
    public var report: TerminalReport?
    public var problems: [DeviceProblem]

    public init(summary: DeviceSummary, lastPushAt: Date?, lastPullAt: Date?, cursorLag: Int?, clientErrors24h: Int, serverErrors24h: Int,
                report: TerminalReport?, problems: [DeviceProblem]) {
        self.summary = summary
        self.lastPushAt = lastPushAt
        self.lastPullAt = lastPullAt
        self.cursorLag = cursorLag
        self.clientErrors24h = clientErrors24h
        self.serverErrors24h = serverErrors24h
        self.report = report
        self.problems = problems
    }
}

/// `GET /v1/admin/devices/failing`: terminals with at least one problem, worst first.
public struct FailingDeviceList: Codable, Sendable, Hashable {
    public var devices: [DeviceDetail]
    public init(devices: [DeviceDetail]) { self.devices = devices }
}
