import Foundation
import GridSyncCore

/// `GET /v1/pull?cursor=…&limit=…`: records changed since the cursor, in the device's scope.
/// `Protocol/README.md`, "Pull".
///
/// Pull is state-based: each record arrives whole, with every sibling and its causal context,
/// and the device joins it into its replica. Re-applying a page is harmless, so a pull cut
/// off mid-page simply repeats from the last cursor the device stored.
public struct PullResponse: Codable, Sendable, Hashable {
    public var records: [RecordEnvelope]
    /// Opaque; store it once the page's records are stored, and send it next time.
    public var cursor: String
    /// True when another page is ready now.
    public var hasMore: Bool
    public var scope: ScopeReport
    /// The server's clock when it served the page: a handset whose own clock is wrong reads
    /// deadlines against this, plus the time since.
    public var serverTime: Date?
    /// Present (`true`) on the first page after the server found the cursor from a history it
    /// no longer has: it was restored from a backup. The page starts the scope afresh, and the
    /// handset sends again every acknowledged change it still keeps (README "Restores").
    public var rebase: Bool?

    public init(records: [RecordEnvelope], cursor: String, hasMore: Bool, scope: ScopeReport, serverTime: Date? = nil, rebase: Bool? = nil) {
        self.rebase = rebase
        self.records = records
        self.cursor = cursor
        self.hasMore = hasMore
        self.scope = scope
        self.serverTime = serverTime
    }
}

/// One record as the server holds it.
public struct RecordEnvelope: Codable, Sendable, Hashable {
    public var kind: RecordKind
    public var id: RecordID
    /// The grids the record belongs to: one, or more while its grid field is in conflict.
    public var grids: [GridPath]
    /// The server's change-log position of this version.
    public var seq: Int64
    public var state: RecordState
    /// True while the record waits for the command centre: show it as under review.
    public var inConflict: Bool
    public var deleted: Bool
    /// Present (`true`) when the record was erased (PIPL): the state is a bare delete, and the
    /// handset removes the record from its replica, its outbox, its kept acknowledged changes
    /// and its parked rejections (README "Erasure").
    public var erased: Bool?
    /// For a work order: when the server received each move, and the deadlines.
    public var timing: CaseTiming?

    public init(kind: RecordKind, id: RecordID, grids: [GridPath], seq: Int64, state: RecordState, timing: CaseTiming? = nil, erased: Bool? = nil) {
        self.erased = erased
        self.kind = kind
        self.id = id
        self.grids = grids
        self.seq = seq
        self.state = state
        self.inConflict = state.isInConflict
        self.deleted = state.isDeleted
        self.timing = timing
    }

    public var key: RecordKey { RecordKey(kind: kind, id: id) }
}

/// The device's scope now, and how it moved since the cursor was issued.
public struct ScopeReport: Codable, Sendable, Hashable {
    public var grids: [GridPath]
    /// Grids newly in scope: their records arrive in this and following pages.
    public var entered: [GridPath]
    /// Grids no longer in scope: purge their records, keeping unsent local work.
    public var left: [GridPath]

    public init(grids: [GridPath], entered: [GridPath] = [], left: [GridPath] = []) {
        self.grids = grids
        self.entered = entered
        self.left = left
    }

    public var changed: Bool { !entered.isEmpty || !left.isEmpty }
}
