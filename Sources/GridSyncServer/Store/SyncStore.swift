import Foundation
import GridSyncCore
import GridSyncProtocol

/// Everything the server keeps, behind one `Sendable` protocol, so that the embedded SQLite
/// store and a later PostgreSQL store run the same server and the same tests.
///
/// Merge decisions are not made here: ``ChangeDecider`` makes them, purely, and a store only
/// loads, saves and keeps each push atomic.
public protocol SyncStore: Sendable {
    // MARK: Sync

    /// Applies several devices' pushes in one transaction (group commit): every change's record
    /// state, change-log entry and idempotency record commit together, or not at all.
    /// Returns each batch's results in order.
    func push(_ batches: [PushBatch], decider: ChangeDecider) async throws -> [[ChangeResult]]

    /// Records within `roots` whose version lies in `seqAfter...seqAtMost`, oldest first, as
    /// their stored bytes: at most `limit` of them, and no more than `maxBytes` of state (but
    /// always at least one). Quarantined records are left out. A row that cannot be read as a
    /// record is reported by key and skipped; it never fails the page.
    func records(within roots: [GridPath], seqAfter: Int64, seqAtMost: Int64?, limit: Int, maxBytes: Int) async throws -> PulledRecords

    /// The newest change-log position.
    func currentSeq() async throws -> Int64

    /// Notes that a device finished a sync, for the fleet view.
    func markSynced(deviceID: String, at: Date) async throws

    // MARK: Conflicts

    func conflicts(under root: GridPath?, kind: RecordKind?) async throws -> [StoredRecord]
    func record(_ key: RecordKey) async throws -> StoredRecord?
    /// The clock of the latest change each replica made to a record, for the conflict view.
    func latestClocks(of key: RecordKey) async throws -> [ReplicaID: VectorClock]
    /// Applies a resolution change made by ops, if the record is still at `expectedVersion`.
    func resolve(_ key: RecordKey, expectedVersion: Int64, actor: String,
                 make: @Sendable (StoredRecord) throws -> Change) async throws -> StoredRecord

    // MARK: Quarantine

    /// Sets a record aside: pull stops serving it until it is released. Pushes to it still
    /// merge, so nothing a terminal sends is lost. `false` when there is no such record.
    func quarantine(_ key: RecordKey, reason: String, at: Date) async throws -> Bool
    /// Serves a quarantined record again: it gets a new change-log position, so every terminal
    /// in scope pulls its current version. `false` when it was not quarantined.
    func release(_ key: RecordKey, actor: String, at: Date) async throws -> Bool
    /// Every quarantined record, oldest first.
    func quarantined() async throws -> [QuarantinedRecord]

    // MARK: Devices and tokens

    /// Registers a terminal awaiting enrolment. With a `registrationKey` seen before for the
    /// same worker, while that device still awaits enrolment, it is the same registration
    /// retried: the device is kept and its code replaced (the first answer, with the first code,
    /// was lost), so a retrying client never leaves phantom devices. Throws ``StoreError``
    /// `.alreadyUsed` when the key's device already enrolled or was revoked, `.invalid` when the
    /// key was used for another worker.
    func createDevice(worker: String, grids: [GridPath], enrollmentCodeHash: String, registrationKey: String?, at: Date) async throws -> DeviceRecord
    /// Trades an unused enrolment code for a device token, or re-issues the token when the same
    /// installation presents its code again. Throws ``StoreError`` `.alreadyUsed` or `.notFound`.
    func enroll(enrollmentCodeHash: String, tokenHash: String, appVersion: String, installationID: String?, at: Date) async throws -> DeviceRecord
    func device(tokenHash: String) async throws -> DeviceRecord?
    func devices() async throws -> [DeviceRecord]
    func revokeDevice(id: String, at: Date) async throws -> DeviceRecord?

    func createOpsToken(name: String, role: OpsRole, tokenHash: String, at: Date) async throws -> OpsTokenRecord
    func opsToken(tokenHash: String) async throws -> OpsTokenRecord?
    func revokeOpsToken(id: String, at: Date) async throws -> Bool
    func opsTokenCount() async throws -> Int

    // MARK: Grids

    func hierarchy() async throws -> GridHierarchy
    /// Replaces the hierarchy and every assignment atomically.
    func replaceHierarchy(_ hierarchy: GridHierarchy) async throws
    /// The scope roots a worker covers now.
    func scope(ofWorker worker: String) async throws -> [GridPath]

    // MARK: Audit and status

    func appendAudit(actor: String, action: String, target: String?, outcome: String, detail: String?, at: Date) async throws
    func auditEntries(since: Date?, limit: Int) async throws -> [AuditEntry]
    func fleetStatus(now: Date, dayStart: Date) async throws -> FleetStatus
}

/// One device's push, as the group commit hands it to the store.
public struct PushBatch: Sendable {
    public let device: DeviceRecord
    public let scope: [GridPath]
    public let changes: [CheckedChange]
    public let report: DeviceReport?
    public let receivedAt: Date

    public init(device: DeviceRecord, scope: [GridPath], changes: [CheckedChange], report: DeviceReport?, receivedAt: Date) {
        self.device = device
        self.scope = scope
        self.changes = changes
        self.report = report
        self.receivedAt = receivedAt
    }
}

/// A record as stored: its state, grids and current version.
public struct StoredRecord: Sendable, Hashable {
    public var key: RecordKey
    public var state: RecordState
    public var grids: [GridPath]
    public var seq: Int64
    /// When the server first saw the record in its current conflict.
    public var conflictSince: Date?
    /// While the record is deleted: the values it held before, so that ops overruling a
    /// contested delete get the whole record back.
    public var beforeDelete: DeleteSnapshot?

    public init(key: RecordKey, state: RecordState, grids: [GridPath], seq: Int64, conflictSince: Date?,
                beforeDelete: DeleteSnapshot? = nil) {
        self.key = key
        self.state = state
        self.grids = grids
        self.seq = seq
        self.conflictSince = conflictSince
        self.beforeDelete = beforeDelete
    }

    public var envelope: RecordEnvelope {
        RecordEnvelope(kind: key.kind, id: key.id, grids: grids, seq: seq, state: state)
    }
}

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

    public init(id: String, worker: String, replicaID: ReplicaID, status: DeviceSummary.Status, enrolledAt: Date? = nil,
                lastSyncAt: Date? = nil, pendingChanges: Int? = nil, appVersion: String? = nil, protocolVersion: Int? = nil) {
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

/// Failures a store reports for the routes to turn into responses.
public struct StoreError: Error, Hashable, Sendable {
    public enum Code: Hashable, Sendable {
        case notFound, alreadyUsed, versionChanged, invalid(String)
        /// The storage cannot take writes just now (a full disk, say); nothing was committed and
        /// the same request will work later. The associated text is the engine's error code,
        /// for the log: never a message, which could quote data.
        case unavailable(String)
    }
    public let code: Code
    public init(_ code: Code) { self.code = code }
}

