import GridSyncCore

/// A record as the handset holds it: the typed value, plus whether it waits for the server or
/// for the command centre.
public struct LocalRecord<R: SyncedRecord>: Sendable {
    /// The record to show. While in conflict, contested fields show this handset's own value
    /// where it has one; `nil` only if no readable version can be assembled.
    public let value: R?
    public let key: RecordKey
    /// Under review: concurrent edits of the same field, or a delete against an edit.
    public let isInConflict: Bool
    public let conflictingFields: [FieldPath]
    /// Every side of the conflict, readable until ops resolve it.
    public let siblings: [Sibling]
    public let isDeleted: Bool
    /// Local changes not yet acknowledged by the server.
    public let hasPendingChanges: Bool

    init(key: RecordKey, state: RecordState, pending: Bool, ownReplica: ReplicaID?) {
        self.key = key
        isInConflict = state.isInConflict
        conflictingFields = state.conflictingFields
        siblings = state.isInConflict ? state.siblings : []
        isDeleted = state.isDeleted
        hasPendingChanges = pending
        value = try? R(id: key.id, fields: LocalRecord.displayFields(state, ownReplica: ownReplica))
    }

    /// One value per field: the agreed one, or for a contested field this handset's own value,
    /// else the value from the highest dot, so the display is stable while ops decide.
    static func displayFields(_ state: RecordState, ownReplica: ReplicaID?) -> [FieldPath: FieldValue] {
        var fields = state.agreedFields
        for path in state.conflictingFields {
            let values = state.entries[path] ?? [:]
            let own = values.first { $0.key.replica == ownReplica }
            fields[path] = (own ?? values.max { $0.key < $1.key })?.value
        }
        if state.hasDeleteConflict {
            for (path, values) in state.entries where path != .deleted && fields[path] == nil {
                fields[path] = values.max { $0.key < $1.key }?.value
            }
        }
        return fields
    }
}

/// Which records to read: all of a kind, narrowed by grid, household, worker or day.
public struct RecordQuery: Sendable, Hashable {
    public var grid: GridPath?
    public var householdID: RecordID?
    public var worker: String?
    public var day: CalendarDay?
    public var includeDeleted = false

    public init(grid: GridPath? = nil, householdID: RecordID? = nil, worker: String? = nil, day: CalendarDay? = nil) {
        self.grid = grid
        self.householdID = householdID
        self.worker = worker
        self.day = day
    }
}
