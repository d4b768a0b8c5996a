import Foundation
import GridSyncCore

/// `POST /v1/push`: a batch of changes from a device's outbox, oldest first.
/// `Protocol/README.md`, "Push".
public struct PushRequest: Codable, Sendable, Hashable {
    public var changes: [Change]
    /// What the device reports about itself, for the command centre's fleet view.
    public var device: DeviceReport?

    public init(changes: [Change], device: DeviceReport? = nil) {
        self.changes = changes
        self.device = device
    }
}

/// A device's view of itself, sent with each push.
///
/// Every member but `pendingChanges` is optional, so that older handsets' reports stay valid.
/// It tells the command centre why a terminal struggles without anyone reading its logs
/// (`gridsync devices failing`). Nothing in it is personal data.
public struct DeviceReport: Codable, Sendable, Hashable {
    /// The outbox's depth once this push is accepted.
    public var pendingChanges: Int
    public var appVersion: String?
    /// Seconds since the oldest change still in the outbox was made, read on the handset's own
    /// clock at both ends, so a wrong clock does not skew it.
    public var oldestPendingSeconds: Int?
    /// Changes refused for good and parked for a person.
    public var parkedChanges: Int?
    /// The kind of the last failed sync (``lastErrorKindPattern``), absent once a sync went through.
    public var lastErrorKind: String?
    /// Free bytes on the handset's storage.
    public var freeStorageBytes: Int64?
    /// The handset's clock as it sent the push: the server shows how far it is off, and never
    /// uses it to decide anything.
    public var deviceTime: Date?

    public init(pendingChanges: Int, appVersion: String? = nil, oldestPendingSeconds: Int? = nil, parkedChanges: Int? = nil,
                lastErrorKind: String? = nil, freeStorageBytes: Int64? = nil, deviceTime: Date? = nil) {
        self.pendingChanges = pendingChanges
        self.appVersion = appVersion
        self.oldestPendingSeconds = oldestPendingSeconds
        self.parkedChanges = parkedChanges
        self.lastErrorKind = lastErrorKind
        self.freeStorageBytes = freeStorageBytes
        self.deviceTime = deviceTime
    }

    /// A short code, as the reference client's error codes are (`server`, `network`,
    /// `unauthorized`): a letter, then letters, digits or `_`, at most 40 characters.
    public static let lastErrorKindPattern = "^[A-Za-z][A-Za-z0-9_]{0,39}$"

    /// The first member a server must refuse, by its path in the push (`device.…`), with why.
    public var invalidMember: (field: String, message: String)? {
        if pendingChanges < 0 { return ("device.pendingChanges", "pendingChanges is a count: 0 or more") }
        if let seconds = oldestPendingSeconds, seconds < 0 { return ("device.oldestPendingSeconds", "oldestPendingSeconds is 0 or more") }
        if let parked = parkedChanges, parked < 0 { return ("device.parkedChanges", "parkedChanges is a count: 0 or more") }
        if let bytes = freeStorageBytes, bytes < 0 { return ("device.freeStorageBytes", "freeStorageBytes is 0 or more") }
        if let kind = lastErrorKind, kind.range(of: Self.lastErrorKindPattern, options: .regularExpression) == nil {
            return ("device.lastErrorKind", "lastErrorKind is a short code: a letter, then up to 39 letters, digits or _")
        }
        return nil
    }
}

/// One result per change, in request order. The response is sent only once all of them are
/// durable, so a result is a promise.
public struct PushResponse: Codable, Sendable, Hashable {
    public var results: [ChangeResult]

    public init(results: [ChangeResult]) {
        self.results = results
    }
}

/// What became of one change. A re-sent change id gets its first result again.
public struct ChangeResult: Codable, Sendable, Hashable {
    public var changeId: ChangeID
    public var outcome: ChangeOutcome
    /// Set when `outcome` is `rejected`: why, permanently.
    public var reason: RejectReason?
    /// True when the record is in conflict after this change, whoever caused it.
    public var recordInConflict: Bool

    public init(changeId: ChangeID, outcome: ChangeOutcome, reason: RejectReason? = nil, recordInConflict: Bool = false) {
        self.changeId = changeId
        self.outcome = outcome
        self.reason = reason
        self.recordInConflict = recordInConflict
    }
}

/// The merge's outcomes plus `rejected`, which the server decides before merging.
public enum ChangeOutcome: String, Codable, Sendable, CaseIterable {
    case applied, merged, stale, conflict, rejected

    public init(_ outcome: MergeOutcome) {
        switch outcome {
        case .applied: self = .applied
        case .merged: self = .merged
        case .stale: self = .stale
        case .conflict: self = .conflict
        }
    }
}

/// Why one change was refused. Retrying it will not help; the device parks it for a person.
public struct RejectReason: Codable, Sendable, Hashable {
    /// A ``ValidationError`` code, or one of the scope and structure codes below.
    public var code: String
    public var message: String
    public var field: String?

    public init(code: String, message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public init(_ error: ValidationError) {
        self.init(code: error.code.rawValue, message: error.message, field: error.field)
    }

    /// The record's grid, old or new, is outside the device's scope.
    public static let outOfScopeCode = "out_of_scope"
    /// The record was deleted and its tombstone purged once every terminal had it: a late
    /// change never creates it again (README "Tombstone retention").
    public static let recordPurgedCode = "record_purged"
    /// The record was erased (PIPL): a late change never brings any of it back. The handset
    /// drops the change instead of parking it, since parking would keep the erased data.
    public static let erasedCode = "erased"
    /// The change would create a record without a required field.
    public static let incompleteRecordCode = ValidationError.Code.incompleteRecord.rawValue
}
