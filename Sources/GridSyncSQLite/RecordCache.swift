import GridSyncCore
import GridSyncServer
import Synchronization

/// The records the writer touched most recently, so an edit during the storm does not pay to
/// decode its record from the database again.
///
/// Entries change only inside write transactions; if a transaction fails, the whole cache is
/// dropped, since it may hold states that never committed.
final class RecordCache: Sendable {
    private let records = Mutex<[RecordKey: StoredRecord]>([:])
    private let capacity: Int

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    subscript(key: RecordKey) -> StoredRecord? {
        records.withLock { $0[key] }
    }

    func store(_ record: StoredRecord) {
        records.withLock { records in
            // Crude but bounded: a full cache starts over rather than tracking recency.
            if records.count >= capacity, records[record.key] == nil { records.removeAll(keepingCapacity: true) }
            records[record.key] = record
        }
    }

    func removeAll() {
        records.withLock { $0.removeAll() }
    }
}
