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
    /// For a kind with a workflow: when the server received each move, and the deadlines.
    public var timing: CaseTiming?

    public init(key: RecordKey, state: RecordState, grids: [GridPath], seq: Int64, conflictSince: Date?,
                beforeDelete: DeleteSnapshot? = nil, timing: CaseTiming? = nil) {
        self.key = key
        self.state = state
        self.grids = grids
        self.seq = seq
        self.conflictSince = conflictSince
        self.beforeDelete = beforeDelete
        self.timing = timing
    }

    public var envelope: RecordEnvelope {
        RecordEnvelope(kind: key.kind, id: key.id, grids: grids, seq: seq, state: state, timing: timing)
    }
}

extension StoredRecord {
    /// The record's next version after a change left `state` in `grids`: when its conflict
    /// began carries over, what it held before a delete is kept while it stays deleted, and a
    /// work order's moves are stamped with the server's time.
    public func next(state: RecordState, grids: [GridPath], at: Date, deadlines: DeadlinePolicy) -> StoredRecord {
        StoredRecord.make(key: key, state: state, grids: grids, previous: self, at: at, deadlines: deadlines)
    }

    /// A record's version after a change, `previous` being the version before (none for a
    /// new record). Its `seq` is left at the previous one until the change log gives it one.
    static func make(key: RecordKey, state: RecordState, grids: [GridPath], previous: StoredRecord?, at: Date,
                     deadlines: DeadlinePolicy) -> StoredRecord {
        StoredRecord(
            key: key, state: state, grids: grids, seq: previous?.seq ?? 0,
            conflictSince: state.isInConflict ? (previous?.conflictSince ?? at) : nil,
            beforeDelete: DeleteSnapshot.kept(for: state, previous: previous?.state, previousSnapshot: previous?.beforeDelete),
            timing: key.kind.schema.workflow.flatMap { deadlines.timing(of: state, workflow: $0, previous: previous?.timing, at: at) })
    }
}
