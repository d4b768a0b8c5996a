import Foundation
import GRDB
import GridSyncCore

/// One record in the local replica.
///
/// `serverState` is the newest version the server sent; `state` is that joined with every
/// change still in the outbox. Keeping both lets a rejected change be taken back out: the
/// record is rebuilt from the server's version and the changes that remain.
struct RecordRow: Sendable {
    var key: RecordKey
    var serverState: RecordState? {
        didSet { serverStateJSON = nil }
    }
    var state: RecordState {
        didSet { stateJSON = nil }
    }
    /// Each state's JSON as read or last written, so a save encodes only what changed: a local
    /// edit leaves the server state, an acknowledgement the local state. When the two states
    /// are equal (nothing pending), one encoding serves both.
    private var serverStateJSON: Data?
    private var stateJSON: Data?

    init(key: RecordKey, serverState: RecordState?, state: RecordState) {
        self.key = key
        self.serverState = serverState
        self.state = state
    }

    /// The row, from `cache` when it holds it (pass it only inside a write transaction).
    static func fetch(_ key: RecordKey, _ db: Database, cache: RowCache?) throws -> RecordRow? {
        if let entry = cache?.entry(key) { return entry.row }
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT server_state, state FROM record WHERE kind = ? AND id = ?"),
            arguments: [key.kind.rawValue, key.id.rawValue]) else { return nil }
        let server: Data? = row["server_state"], local: Data = row["state"]
        var found = RecordRow(key: key, serverState: try server.map { try LocalCoding.decode(RecordState.self, $0) },
                              state: try LocalCoding.decode(RecordState.self, local))
        found.serverStateJSON = server
        found.stateJSON = local
        if let cache {
            cache.followTransaction(db)
            cache.store(found)
        }
        return found
    }

    /// - Parameter grids: the grids the server says the record is in, for a state that holds no
    ///   `grid` value itself (a tombstone: the delete superseded it). A row keeps the grids it
    ///   had when its state has none, so a tombstone is not purged as out of scope: a late edit
    ///   must meet it, and a re-creation must count on from its counters, not reuse them.
    /// - Parameter typed: the typed record this save wrote and its fields, kept in `cache` for
    ///   the next edit.
    mutating func save(_ db: Database, grids: [GridPath] = [], cache: RowCache?,
                       typed: (any SyncedRecord)? = nil, typedFields: [FieldPath: FieldValue]? = nil) throws {
        let index = RecordIndex(state, kind: key.kind, fallbackGrids: grids)
        let stateJSON = self.stateJSON ?? CompactJSON.encode(state)
        self.stateJSON = stateJSON
        if serverStateJSON == nil { serverStateJSON = serverState.map { $0 == state ? stateJSON : CompactJSON.encode($0) } }
        try db.cachedStatement(sql: """
            INSERT INTO record (kind, id, server_state, state, grids, household_id, worker, day, in_conflict, deleted)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (kind, id) DO UPDATE SET server_state = excluded.server_state, state = excluded.state,
                grids = CASE WHEN excluded.grids = '' THEN record.grids ELSE excluded.grids END,
                household_id = excluded.household_id, worker = excluded.worker, day = excluded.day,
                in_conflict = excluded.in_conflict, deleted = excluded.deleted
            """).execute(arguments: [
                key.kind.rawValue, key.id.rawValue, serverStateJSON, stateJSON,
                index.grids, index.householdID, index.worker, index.day, state.isInConflict, state.isDeleted,
            ])
        if let cache {
            cache.followTransaction(db)
            cache.store(self, typed: typed, typedFields: typedFields)
        }
    }

    static func delete(_ key: RecordKey, _ db: Database, cache: RowCache?) throws {
        try db.execute(sql: "DELETE FROM record WHERE kind = ? AND id = ?", arguments: [key.kind.rawValue, key.id.rawValue])
        cache?.remove(key)
    }
}

/// Columns the replica is queried by, taken from the record's agreed fields.
struct RecordIndex {
    /// Space-separated: every grid the record is in, more than one while its move is contested.
    let grids: String
    let householdID: String?
    let worker: String?
    /// The record's calendar day, `YYYY-MM-DD`, as the handset saw it.
    let day: String?

    /// The kind says which of its properties fill the columns (``LocalIndexFields``).
    init(_ state: RecordState, kind: RecordKind, fallbackGrids: [GridPath] = []) {
        let gridValues = state.entries[FieldPath("grid")!]?.values.compactMap(\.stringValue) ?? []
        grids = (gridValues.isEmpty ? fallbackGrids.map(\.description) : Set(gridValues).sorted()).joined(separator: " ")
        (householdID, worker, day) = kind.localIndex.values(of: state.agreedFields)
    }

    static func paths(_ grids: String) -> [GridPath] { GridPath.list(spaceSeparated: grids) }
}

/// JSON for the local file, shared coders.
enum LocalCoding {
    private static let encoder = JSONEncoder()

    static func encode<T: Encodable>(_ value: T) throws -> Data { try encoder.encode(value) }
    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T { try FieldValueCoding.decodeJSON(type, from: data) }
}
