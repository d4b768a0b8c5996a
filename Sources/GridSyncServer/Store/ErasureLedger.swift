import Foundation
import GridSyncCore

/// What a transaction offers for erasure (PIPL): which records were erased, and which
/// terminals have confirmed each erasure by pulling past it.
///
/// The erased record itself stays in ``RecordLog`` as a bare delete (no field, no
/// `beforeDelete` snapshot), so that pull carries the erasure to every terminal that could
/// hold the household, and is purged like any tombstone once they all have (``Retention``).
/// The erasure outlives it: a late change to an erased record is refused `erased`, for ever.
/// `SyncEngine.erase` holds the rule.
public protocol ErasureLedger {
    /// Notes that `erasure` happened, and the terminals that must confirm it.
    func recordErasure(_ erasure: Erasure, terminals: [String]) throws
    /// The erasure of `key`, if it was erased.
    func erasure(of key: RecordKey) throws -> Erasure?
    /// Every erasure, newest first, at most `limit`.
    func erasures(limit: Int) throws -> [Erasure]
    /// For each terminal an erasure must reach: when it confirmed, `nil` while pending.
    func erasureConfirmations(of key: RecordKey) throws -> [String: Date?]
    /// Which of `keys` were erased.
    func erasedKeys(_ keys: [RecordKey]) throws -> Set<RecordKey>
    /// The terminal proved it holds its scope up to `seq` (as for ``Retention/notePulled(deviceID:upTo:rebasedSince:)``):
    /// every erasure at or below `seq` that it had to confirm is confirmed at `date`.
    func confirmErasures(deviceID: String, upTo seq: Int64, at date: Date) throws
}

/// One erasure, as the ledger keeps it. The reason and actor are ops' words, never personal data.
public struct Erasure: Sendable, Hashable {
    public var key: RecordKey
    /// The change-log position of the erasing delete.
    public var seq: Int64
    public var erasedAt: Date
    public var actor: String
    public var reason: String

    public init(key: RecordKey, seq: Int64, erasedAt: Date, actor: String, reason: String) {
        self.key = key
        self.seq = seq
        self.erasedAt = erasedAt
        self.actor = actor
        self.reason = reason
    }
}
