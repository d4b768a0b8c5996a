import Foundation
import GRDB
import GridSyncCore
import GridSyncServer

/// One SQLite transaction, as the engine sees it: a GRDB database handle, valid only inside
/// the `write` or `read` closure that made it.
struct SQLiteTransaction {
    let db: Database
    /// The writer's record cache; `nil` in read transactions, which must see only what committed.
    let cache: RecordCache?

    /// A record's current grids as one column (`r` is the record's alias), and its reading:
    /// pull and the quarantine list both need them beside the record's own columns.
    static let currentGridsColumn =
        "(SELECT group_concat(grid, ' ') FROM record_grid x WHERE x.kind = r.kind AND x.id = r.id AND x.current = 1) AS grids"

    static func currentGrids(_ row: Row) -> [GridPath] {
        GridPath.list(spaceSeparated: row["grids"] as String? ?? "")
    }
}
