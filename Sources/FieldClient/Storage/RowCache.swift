import GRDB
import GridSyncCore
import Synchronization

/// The replica's recently used rows, decoded, so that a worker typing through a visit does not
/// read and decode the record's two states from the file on every edit, nor build the typed
/// record again from them.
///
/// Every write of a row goes through ``RecordRow/save(_:grids:cache:)`` or
/// ``RecordRow/delete(_:_:cache:)`` inside a write transaction, and they keep the cache in step
/// with what that transaction wrote; a rollback empties it. Readers on other connections never
/// use it, since it may hold a write not yet committed. Each entry has a version, so an edit
/// made on the actor from a cached row can tell, inside its transaction, whether a pull landed
/// in between (the actor is re-entrant while it awaits the write).
final class RowCache: Sendable {
    struct Entry: Sendable {
        var row: RecordRow
        var version: UInt64
        /// The typed record as last edited through this handset, and its fields: the next
        /// edit starts from them instead of decoding the state again.
        var typed: (any SyncedRecord)?
        var typedFields: [FieldPath: FieldValue]?
    }

    static let capacity = 512

    private struct State {
        var entries: [RecordKey: Entry] = [:]
        var nextVersion: UInt64 = 0
        var hookedTransaction = false
    }
    private let state = Mutex(State())

    func entry(_ key: RecordKey) -> Entry? { state.withLock { $0.entries[key] } }

    /// Records what a write transaction just wrote (or read) for `row`; the typed value is
    /// dropped unless given, since it may no longer match.
    @discardableResult
    func store(_ row: RecordRow, typed: (any SyncedRecord)? = nil, typedFields: [FieldPath: FieldValue]? = nil) -> UInt64 {
        state.withLock { state in
            state.nextVersion += 1
            if state.entries.count >= Self.capacity, state.entries[row.key] == nil, let evicted = state.entries.keys.first {
                state.entries[evicted] = nil
            }
            state.entries[row.key] = Entry(row: row, version: state.nextVersion, typed: typed, typedFields: typedFields)
            return state.nextVersion
        }
    }

    func remove(_ key: RecordKey) { state.withLock { $0.entries[key] = nil } }

    /// Empties the cache if the transaction `db` is in rolls back, so nothing it stored
    /// outlives it. Hooked once per transaction.
    func followTransaction(_ db: Database) {
        let hook = state.withLock { state in
            defer { state.hookedTransaction = true }
            return !state.hookedTransaction
        }
        guard hook else { return }
        db.afterNextTransaction(onCommit: { [self] _ in state.withLock { $0.hookedTransaction = false } },
                                onRollback: { [self] _ in state.withLock { $0.entries.removeAll(); $0.hookedTransaction = false } })
    }
}
