import Foundation
import GridSyncCore
import GridSyncProtocol
import GridSyncServer
import PostgresNIO

extension PostgresTransaction: GridDirectory {
    func hierarchy() throws -> GridHierarchy {
        let grids = try rows("SELECT path, name FROM grid ORDER BY path").compactMap { row in
            GridPath(try row["path"].decode(String.self)).map { GridNode(path: $0, name: try? row["name"].decode(String?.self)) }
        }
        var byWorker: [String: [GridPath]] = [:]
        for row in try rows("SELECT worker, grid FROM assignment ORDER BY worker, grid") {
            if let grid = GridPath(try row["grid"].decode(String.self)) { byWorker[try row["worker"].decode(String.self), default: []].append(grid) }
        }
        let assignments = byWorker.keys.sorted().map { Assignment(worker: $0, grids: byWorker[$0]!) }
        return GridHierarchy(grids: grids, assignments: assignments)
    }

    func replaceHierarchy(_ hierarchy: GridHierarchy) throws {
        try execute("DELETE FROM grid")
        try execute("DELETE FROM assignment")
        let paths = hierarchy.grids.map(\.path.description)
        let names = hierarchy.grids.map { FreeText.storable($0.name ?? "") }, named = hierarchy.grids.map { $0.name != nil }
        try execute("""
            INSERT INTO grid (path, name)
            SELECT path, CASE WHEN named THEN name END FROM unnest(\(paths)::text[], \(names)::text[], \(named)::boolean[]) AS u (path, name, named)
            ON CONFLICT (path) DO UPDATE SET name = excluded.name
            """)
        for assignment in hierarchy.assignments {
            try assign(worker: assignment.worker, grids: assignment.grids)
        }
    }

    func assign(worker: String, grids: [GridPath]) throws {
        guard !grids.isEmpty else { return }
        try execute("""
            INSERT INTO assignment (worker, grid) SELECT \(FreeText.storable(worker)), grid FROM unnest(\(grids.map(\.description))::text[]) AS grid
            ON CONFLICT DO NOTHING
            """)
    }

    func scope(ofWorker worker: String) throws -> [GridPath] {
        try rows("SELECT grid FROM assignment WHERE worker = \(FreeText.storable(worker)) ORDER BY grid").compactMap { GridPath(try $0["grid"].decode(String.self)) }
    }

    func activeDeviceGrids() throws -> [(deviceID: String, lastSyncAt: Date?, grid: GridPath)] {
        try rows("""
            SELECT d.id, d.last_sync_at, a.grid FROM device d JOIN assignment a ON a.worker = d.worker WHERE d.status = 'active'
            """).compactMap { row in
            guard let grid = GridPath(try row["grid"].decode(String.self)) else { return nil }
            return (try row["id"].decode(String.self), try row["last_sync_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:)), grid)
        }
    }
}

extension PostgresTransaction: AuditTrail {
    func appendAudit(actor: String, action: String, target: String?, outcome: String, detail: String?, at: Date) throws {
        try execute("""
            INSERT INTO audit (at, actor, action, target, outcome, detail)
            VALUES (\(at.timeIntervalSince1970), \(FreeText.storable(actor)), \(action), \(target.map(FreeText.storable)), \(outcome),
                    \(detail.map(FreeText.storable)))
            """)
    }

    func auditEntries(since: Date?, limit: Int) throws -> [AuditEntry] {
        try rows("""
            SELECT seq, at, actor, action, target, outcome, detail FROM audit WHERE at >= \(since?.timeIntervalSince1970 ?? 0)
            ORDER BY seq LIMIT \(Int64(limit))
            """).map { row in
            AuditEntry(seq: try row["seq"].decode(Int64.self), at: Date(timeIntervalSince1970: try row["at"].decode(Double.self)),
                       actor: try row["actor"].decode(String.self), action: try row["action"].decode(String.self),
                       target: try row["target"].decode(String?.self), outcome: try row["outcome"].decode(String.self),
                       detail: try row["detail"].decode(String?.self))
        }
    }
}
