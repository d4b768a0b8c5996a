import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol
import GridSyncServer

extension SQLiteTransaction: GridDirectory {
    func hierarchy() throws -> GridHierarchy {
        let grids = try Row.fetchAll(db, sql: "SELECT path, name FROM grid ORDER BY path").compactMap { row in
            GridPath(row["path"]).map { GridNode(path: $0, name: row["name"]) }
        }
        var byWorker: [String: [GridPath]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT worker, grid FROM assignment ORDER BY worker, grid") {
            if let grid = GridPath(row["grid"]) { byWorker[row["worker"], default: []].append(grid) }
        }
        let assignments = byWorker.keys.sorted().map { Assignment(worker: $0, grids: byWorker[$0]!) }
        return GridHierarchy(grids: grids, assignments: assignments)
    }

    func replaceHierarchy(_ hierarchy: GridHierarchy) throws {
        try db.execute(sql: "DELETE FROM grid; DELETE FROM assignment;")
        for node in hierarchy.grids {
            try db.execute(sql: "INSERT OR REPLACE INTO grid (path, name) VALUES (?, ?)", arguments: [node.path.description, node.name])
        }
        for assignment in hierarchy.assignments {
            try assign(worker: assignment.worker, grids: assignment.grids)
        }
    }

    func assign(worker: String, grids: [GridPath]) throws {
        for grid in grids {
            try db.execute(sql: "INSERT OR IGNORE INTO assignment (worker, grid) VALUES (?, ?)", arguments: [worker, grid.description])
        }
    }

    func scope(ofWorker worker: String) throws -> [GridPath] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT grid FROM assignment WHERE worker = ? ORDER BY grid"),
                            arguments: [worker]).compactMap(GridPath.init)
    }

    func activeDeviceGrids() throws -> [(deviceID: String, lastSyncAt: Date?, grid: GridPath)] {
        try Row.fetchAll(db, sql: """
            SELECT d.id, d.last_sync_at, a.grid FROM device d JOIN assignment a ON a.worker = d.worker WHERE d.status = 'active'
            """).compactMap { row in
            guard let grid = GridPath(row["grid"]) else { return nil }
            return (row["id"], (row["last_sync_at"] as Double?).map(Date.init(timeIntervalSince1970:)), grid)
        }
    }
}

extension SQLiteTransaction: AuditTrail {
    func appendAudit(actor: String, action: String, target: String?, outcome: String, detail: String?, at: Date) throws {
        try db.execute(sql: "INSERT INTO audit (at, actor, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [at.timeIntervalSince1970, actor, action, target, outcome, detail])
    }

    func auditEntries(since: Date?, limit: Int) throws -> [AuditEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM audit WHERE at >= ? ORDER BY seq LIMIT ?",
                         arguments: [since?.timeIntervalSince1970 ?? 0, limit]).map { row in
            AuditEntry(seq: row["seq"], at: Date(timeIntervalSince1970: row["at"]), actor: row["actor"], action: row["action"],
                       target: row["target"], outcome: row["outcome"], detail: row["detail"])
        }
    }
}
