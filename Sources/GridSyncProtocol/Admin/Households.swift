import Foundation
import GridSyncCore

/// `GET /v1/admin/households/{id}`: one household as the server holds it, masked unless the
/// admin asked `reveal=true` (audited). `Protocol/README.md`, "Admin: households".
public struct HouseholdDetail: Codable, Sendable, Hashable {
    public var id: RecordID
    public var grids: [GridPath]
    public var version: Int64
    public var deleted: Bool
    /// Erased (PIPL): no personal field is left anywhere on the server.
    public var erased: Bool
    public var inConflict: Bool
    /// True when members' names, ID numbers and phones are masked (``PersonalDataMask``).
    public var masked: Bool
    /// Every field: agreed ones with their value, contested ones with each side's.
    public var fields: [FieldComparison]

    public init(id: RecordID, grids: [GridPath], version: Int64, deleted: Bool, erased: Bool, inConflict: Bool, masked: Bool,
                fields: [FieldComparison]) {
        self.id = id
        self.grids = grids
        self.version = version
        self.deleted = deleted
        self.erased = erased
        self.inConflict = inConflict
        self.masked = masked
        self.fields = fields
    }
}

/// `POST /v1/admin/households/{id}/erase`.
public struct EraseRequest: Codable, Sendable, Hashable {
    /// Why, kept with the erasure and in the audit log, such as the request's reference
    /// number. Never personal data: the reason outlives the household.
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// One erasure, and how far it has reached: `POST …/erase` answers with it, and
/// `GET /v1/admin/households/erasures` lists them.
public struct ErasureReport: Codable, Sendable, Hashable {
    public var id: RecordID
    /// The change-log position of the erasure: a terminal that pulled past it has erased too.
    public var version: Int64
    public var erasedAt: Date
    /// The ops token's name.
    public var by: String
    public var reason: String
    /// Every terminal whose scope covered the household when it was erased.
    public var terminals: [ErasureTerminal]

    public init(id: RecordID, version: Int64, erasedAt: Date, by: String, reason: String, terminals: [ErasureTerminal]) {
        self.id = id
        self.version = version
        self.erasedAt = erasedAt
        self.by = by
        self.reason = reason
        self.terminals = terminals
    }

    /// Active terminals that have not confirmed yet: the erasure is complete when none is left.
    public var pending: [ErasureTerminal] { terminals.filter { $0.confirmedAt == nil && $0.active } }
}

/// A terminal an erasure must reach.
public struct ErasureTerminal: Codable, Sendable, Hashable {
    public var deviceId: String
    public var worker: String
    /// When it pulled past the erasure, and so removed the household from its replica, outbox
    /// and parked changes; absent while pending.
    public var confirmedAt: Date?
    /// False once revoked: a revoked terminal cannot pull, so it never confirms, and is not
    /// counted as pending. Its handset must be wiped by hand.
    public var active: Bool
    public var lastSyncAt: Date?

    public init(deviceId: String, worker: String, confirmedAt: Date?, active: Bool, lastSyncAt: Date?) {
        self.deviceId = deviceId
        self.worker = worker
        self.confirmedAt = confirmedAt
        self.active = active
        self.lastSyncAt = lastSyncAt
    }
}

/// `GET /v1/admin/households/erasures`: newest first.
public struct ErasureList: Codable, Sendable, Hashable {
    public var erasures: [ErasureReport]
    public init(erasures: [ErasureReport]) { self.erasures = erasures }
}
