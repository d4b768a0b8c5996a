import Foundation
import GridSyncCore

/// `POST /v1/admin/devices`: register a terminal for a worker. `Protocol/README.md`, "Admin: devices".
public struct DeviceEnrollmentRequest: Codable, Sendable, Hashable {
    public var worker: String
    /// The grids the worker covers; they become the device's scope.
    public var grids: [GridPath]

    public init(worker: String, grids: [GridPath]) {
        self.worker = worker
        self.grids = grids
    }
}

/// The one-time enrolment code, shown once: the server keeps only its hash.
public struct DeviceEnrollment: Codable, Sendable, Hashable {
    public var deviceId: String
    public var worker: String
    public var grids: [GridPath]
    public var enrollmentCode: String

    public init(deviceId: String, worker: String, grids: [GridPath], enrollmentCode: String) {
        self.deviceId = deviceId
        self.worker = worker
        self.grids = grids
        self.enrollmentCode = enrollmentCode
    }
}

/// A terminal as the command centre sees it.
public struct DeviceSummary: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable { case awaitingEnrollment, active, revoked }

    public var deviceId: String
    public var worker: String
    public var grids: [GridPath]
    public var status: Status
    public var replicaId: ReplicaID?
    public var lastSyncAt: Date?
    public var pendingChanges: Int?
    public var appVersion: String?
    public var protocolVersion: Int?
    /// True when the device has not synced for 24 hours.
    public var stale: Bool
    /// Present (`true`) while the device is due a rebase: silent so long that it no longer held
    /// tombstones back, it starts its grids afresh at its next sync.
    public var rebaseDue: Bool?

    public init(deviceId: String, worker: String, grids: [GridPath], status: Status, replicaId: ReplicaID?, lastSyncAt: Date?,
                pendingChanges: Int?, appVersion: String?, protocolVersion: Int?, stale: Bool, rebaseDue: Bool? = nil) {
        self.rebaseDue = rebaseDue
        self.deviceId = deviceId
        self.worker = worker
        self.grids = grids
        self.status = status
        self.replicaId = replicaId
        self.lastSyncAt = lastSyncAt
        self.pendingChanges = pendingChanges
        self.appVersion = appVersion
        self.protocolVersion = protocolVersion
        self.stale = stale
    }
}

public struct DeviceList: Codable, Sendable, Hashable {
    public var devices: [DeviceSummary]
    public init(devices: [DeviceSummary]) { self.devices = devices }
}
