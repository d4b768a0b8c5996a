import Foundation
import GridSyncCore

/// What a transaction offers for tombstone retention: which deleted records every terminal
/// that could hold them has pulled past, and removing those for good.
///
/// A tombstone (and the `beforeDelete` snapshot of personal data it keeps) exists so that a
/// terminal that still holds the record learns of the delete, and so that a late edit meets
/// it. Once every terminal that could hold it has pulled past it, it has done both jobs; what
/// stays is a bare marker, so that a late change is refused (`record_purged`) rather than
/// creating the record again. `SyncEngine.purgeTombstones` holds the rule.
public protocol Retention {
    /// Deleted records not in conflict nor quarantined, whose last change was received before
    /// `changedBefore`, at a position at most `seqAtMost`, oldest first, at most `limit`; each
    /// with every grid it is or was filed under (the terminals that could hold it).
    func tombstones(changedBefore: Date, seqAtMost: Int64, limit: Int) throws -> [Tombstone]
    /// Removes the records, their grids, photo names and refusal notes, leaving a marker each.
    func purge(_ tombstones: [Tombstone], at: Date) throws
    /// Which of `keys` were purged.
    func purgedKeys(_ keys: [RecordKey]) throws -> Set<RecordKey>
    /// The highest position a purged record had, 0 when none was: with the records' own, what
    /// a cursor can have reached.
    func purgedSeq() throws -> Int64
    /// A terminal proved it holds everything in its scope up to `seq`: it pulled with a cursor
    /// at `seq` to the end. When that cursor came from a rebase begun at `rebasedSince`, a
    /// rebase it was due since then or before is done.
    func notePulled(deviceID: String, upTo seq: Int64, rebasedSince: Date?) throws
    /// These terminals start their scope afresh at their next pull: they were silent so long
    /// that they no longer hold purging back.
    func markRebaseDue(deviceIDs: [String], at: Date) throws
}

/// A tombstone that may be purged, as ``Retention/tombstones(changedBefore:seqAtMost:limit:)``
/// finds it.
public struct Tombstone: Sendable, Hashable {
    public var key: RecordKey
    public var seq: Int64
    /// Current grids and grids it left.
    public var grids: [GridPath]

    public init(key: RecordKey, seq: Int64, grids: [GridPath]) {
        self.key = key
        self.seq = seq
        self.grids = grids
    }
}
