import Foundation
import GridSyncCore
import GridSyncProtocol

/// A terminal's registration.
public struct DeviceRecord: Sendable, Hashable {
    public var id: String
    public var worker: String
    public var replicaID: ReplicaID
    public var status: DeviceSummary.Status
    public var enrolledAt: Date?
    public var lastSyncAt: Date?
    public var pendingChanges: Int?
    public var appVersion: String?
    public var protocolVersion: Int?
    /// The cursor position of its last pull to the end: it holds everything in scope up to it.
    public var pulledSeq: Int64?
    /// Since when its next pull must start its scope afresh (``Retention/markRebaseDue(deviceIDs:at:)``).
    public var rebaseDueAt: Date?
    /// Its last committed push, and its last pull that ran to the end.
    public var lastPushAt: Date?
    public var lastPullAt: Date?
    /// What it said of itself at its last push.
    public var report: TerminalReport?

    public init(id: String, worker: String, replicaID: ReplicaID, status: DeviceSummary.Status, enrolledAt: Date? = nil,
                lastSyncAt: Date? = nil, pendingChanges: Int? = nil, appVersion: String? = nil, protocolVersion: Int? = nil,
                pulledSeq: Int64? = nil, rebaseDueAt: Date? = nil, lastPushAt: Date? = nil, lastPullAt: Date? = nil, report: TerminalReport? = nil) {
        self.lastPushAt = lastPushAt
        self.lastPullAt = lastPullAt
        self.report = report
        self.pulledSeq = pulledSeq
        self.rebaseDueAt = rebaseDueAt
        self.id = id
        self.worker = worker
        self.replicaID = replicaID
        self.status = status
        self.enrolledAt = enrolledAt
        self.lastSyncAt = lastSyncAt
        self.pendingChanges = pendingChanges
        self.appVersion = appVersion
        self.protocolVersion = protocolVersion
    }
}

/// An ops token's registration; the token itself is never stored.
public struct OpsTokenRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var role: OpsRole
    public var revoked: Bool

    public init(id: String, name: String, role: OpsRole, revoked: Bool) {
        self.id = id
        self.name = name
        self.role = role
        self.revoked = revoked
    }
}
