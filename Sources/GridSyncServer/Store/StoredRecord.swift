import Foundation
import GridSyncCore
import GridSyncProtocol

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

extension StoredRecord {
    /// The record's next version after a change left `state` in `grids`: when its conflict
    /// began carries over, and what it held before a delete is kept while it stays deleted.
    public func next(state: RecordState, grids: [GridPath], at: Date) -> StoredRecord {
        StoredRecord.make(key: key, state: state, grids: grids, previous: self, at: at)
    }

    /// A record's version after a change, `previous` being the version before (none for a
    /// new record). Its `seq` is left at the previous one until the change log gives it one.
    static func make(key: RecordKey, state: RecordState, grids: [GridPath], previous: StoredRecord?, at: Date) -> StoredRecord {
        StoredRecord(
            key: key, state: state, grids: grids, seq: previous?.seq ?? 0,
            conflictSince: state.isInConflict ? (previous?.conflictSince ?? at) : nil,
            beforeDelete: DeleteSnapshot.kept(for: state, previous: previous?.state, previousSnapshot: previous?.beforeDelete))
    }
}
