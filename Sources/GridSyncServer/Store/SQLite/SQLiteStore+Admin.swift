import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

extension SQLiteStore {
    public func hierarchy() async throws -> GridHierarchy {
        try await pool.read { db in
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
    }

    public func replaceHierarchy(_ hierarchy: GridHierarchy) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM grid; DELETE FROM assignment;")
            for node in hierarchy.grids {
                try db.execute(sql: "INSERT OR REPLACE INTO grid (path, name) VALUES (?, ?)", arguments: [node.path.description, node.name])
            }
            for assignment in hierarchy.assignments {
                for grid in assignment.grids {
                    try db.execute(sql: "INSERT OR IGNORE INTO assignment (worker, grid) VALUES (?, ?)",
                                   arguments: [assignment.worker, grid.description])
                }
            }
        }
    }

    public func scope(ofWorker worker: String) async throws -> [GridPath] {
        try await pool.read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT grid FROM assignment WHERE worker = ? ORDER BY grid"),
                                arguments: [worker]).compactMap(GridPath.init)
        }
    }

    public func appendAudit(actor: String, action: String, target: String?, outcome: String, detail: String?, at: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO audit (at, actor, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [at.timeIntervalSince1970, actor, action, target, outcome, detail])
        }
    }

    public func auditEntries(since: Date?, limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit WHERE at >= ? ORDER BY seq LIMIT ?",
                             arguments: [since?.timeIntervalSince1970 ?? 0, limit]).map { row in
                AuditEntry(seq: row["seq"], at: Date(timeIntervalSince1970: row["at"]), actor: row["actor"], action: row["action"],
                           target: row["target"], outcome: row["outcome"], detail: row["detail"])
            }
        }
    }

    public func fleetStatus(now: Date, dayStart: Date) async throws -> FleetStatus {
        try await pool.read { db in
            var streets: [GridPath: StreetStatus] = [:]
            func street(_ grid: GridPath) -> GridPath {
                GridPath(grid.segments.prefix(2).joined(separator: "/")) ?? grid
            }
            func bump(_ grid: GridPath, _ update: (inout StreetStatus) -> Void) {
                let key = street(grid)
                var status = streets[key] ?? StreetStatus(street: key, terminals: 0, syncedToday: 0, stale: 0, openConflicts: 0, changesToday: 0)
                update(&status)
                streets[key] = status
            }
            let devices = try Row.fetchAll(db, sql: """
                SELECT d.id, d.last_sync_at, a.grid FROM device d JOIN assignment a ON a.worker = d.worker
                WHERE d.status = 'active'
                """)
            var counted = Set<String>()
            for row in devices {
                guard let grid = GridPath(row["grid"]) else { continue }
                let id: String = row["id"]
                guard counted.insert(id + "|" + street(grid).description).inserted else { continue }
                let lastSync = (row["last_sync_at"] as Double?).map(Date.init(timeIntervalSince1970:))
                bump(grid) { status in
                    status.terminals += 1
                    if let lastSync, lastSync >= dayStart { status.syncedToday += 1 }
                    if lastSync.map({ now.timeIntervalSince($0) > 86_400 }) ?? true { status.stale += 1 }
                }
            }
            for grid in try String.fetchAll(db, sql: """
                SELECT g.grid FROM record r JOIN record_grid g ON g.kind = r.kind AND g.id = r.id AND g.current = 1 WHERE r.in_conflict = 1
                """).compactMap(GridPath.init) {
                bump(grid) { $0.openConflicts += 1 }
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT g.grid, COUNT(*) AS n FROM change_log c JOIN record_grid g ON g.kind = c.kind AND g.id = c.id AND g.current = 1
                WHERE c.received_at >= ? AND c.outcome != 'rejected' GROUP BY g.grid
                """, arguments: [dayStart.timeIntervalSince1970]) {
                if let grid = GridPath(row["grid"]) { bump(grid) { $0.changesToday += row["n"] } }
            }
            return FleetStatus(streets: streets.keys.sorted().map { streets[$0]! }, generatedAt: now)
        }
    }
}
