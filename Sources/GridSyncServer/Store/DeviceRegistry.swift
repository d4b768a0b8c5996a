import Foundation
import GridSyncCore
import GridSyncProtocol

/// Devices and ops tokens, inside one transaction. Tokens are kept only as hashes.
public protocol DeviceRegistry {
    func device(_ lookup: DeviceLookup) throws -> RegisteredDevice?
    func devices() throws -> [DeviceRecord]
    /// Every replica id ever issued to a device of `worker`, revoked ones included.
    func replicaIDs(ofWorker worker: String) throws -> [ReplicaID]
    func insertDevice(_ device: DeviceRecord, enrollmentCodeHash: String, registrationKey: String?, at: Date) throws
    func replaceEnrollmentCode(deviceID: String, hash: String) throws
    func activate(deviceID: String, tokenHash: String, appVersion: String, protocolVersion: Int, installationID: String?, at: Date) throws
    func revoke(deviceID: String, at: Date) throws
    /// Notes a finished sync, and what the device said of itself (`nil` keeps what was known).
    func noteSync(_ sync: DeviceSync) throws
    /// Notes a request of the device the server refused (4xx) or failed (5xx, `server`).
    func noteRefusal(deviceID: String, server: Bool, at: Date) throws
    /// Refusals and failures per device since `since`.
    func refusalCounts(since: Date) throws -> [String: RefusalCount]
    /// Forgets refusals older than `date`: only the last day is ever shown.
    func forgetRefusals(before date: Date) throws

    func insertOpsToken(_ token: OpsTokenRecord, tokenHash: String, at: Date) throws
    func opsToken(tokenHash: String) throws -> OpsTokenRecord?
    /// `false` when there is no such token or it was already revoked.
    func revokeOpsToken(id: String, at: Date) throws -> Bool
    func opsTokenCount() throws -> Int
}

/// How a device is looked up.
public enum DeviceLookup: Sendable, Hashable {
    case id(String), tokenHash(String), enrollmentCodeHash(String), registrationKey(String)
}

/// A device as the registry keeps it, with the installation that enrolled it.
public struct RegisteredDevice: Sendable, Hashable {
    public var device: DeviceRecord
    public var installationID: String?
    public init(device: DeviceRecord, installationID: String?) {
        self.device = device
        self.installationID = installationID
    }
}

/// A device's finished sync, as a push or the last page of a pull reports it.
public struct DeviceSync: Sendable, Hashable {
    public var deviceID: String
    public var at: Date
    public var pendingChanges: Int?
    public var appVersion: String?
    public var protocolVersion: Int?
    /// A push was committed, or a pull ran to its last page.
    public var pushed: Bool
    public var pulled: Bool
    /// What the push's `device` member said, with the clock skew the server read from it.
    public var report: TerminalReport?

    public init(deviceID: String, at: Date, pendingChanges: Int? = nil, appVersion: String? = nil, protocolVersion: Int? = nil,
                pushed: Bool = false, pulled: Bool = false, report: TerminalReport? = nil) {
        self.deviceID = deviceID
        self.at = at
        self.pendingChanges = pendingChanges
        self.appVersion = appVersion
        self.protocolVersion = protocolVersion
        self.pushed = pushed
        self.pulled = pulled
        self.report = report
    }
}

/// A device's refused and failed requests over a period.
public struct RefusalCount: Sendable, Hashable {
    public var client = 0
    public var server = 0
    public init(client: Int = 0, server: Int = 0) {
        self.client = client
        self.server = server
    }
}
