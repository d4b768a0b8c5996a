import Foundation
import GridSyncCore
import GridSyncProtocol
import Hummingbird

/// Grids and assignments, fleet status and the audit log. `Protocol/README.md`,
/// "Admin: grids", "Admin: status" and "Admin: audit".
struct AdminFleetRoutes {
    let environment: ServerEnvironment

    func register(on group: RouterGroup<GridSyncRequestContext>) {
        group.get("grids", use: environment.auditingRefusals("grids.list", grids))
        group.put("grids", use: environment.auditingRefusals("grids.import", replaceGrids))
        group.get("status", use: environment.auditingRefusals("status.show", status))
        group.get("audit", use: environment.auditingRefusals("audit.list", audit))
    }

    @Sendable func grids(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        try await environment.audit(actor.name, "grids.list")
        return try JSONBody.response(try await environment.engine.hierarchy())
    }

    @Sendable func replaceGrids(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .admin)
        var request = request
        let hierarchy = try await request.decodeJSON(GridHierarchy.self, limit: 8 << 20)
        if let problem = Self.problem(in: hierarchy) {
            var error = APIError(.unprocessableContent, .unprocessable, problem.message)
            error.body.field = problem.field
            throw error
        }
        try await environment.engine.replaceHierarchy(hierarchy)
        try await environment.audit(actor.name, "grids.import", detail: "\(hierarchy.grids.count) grids, \(hierarchy.assignments.count) assignments")
        return try JSONBody.response(try await environment.engine.hierarchy())
    }

    /// The first entry that would leave the hierarchy inconsistent: an assignment to a grid
    /// nobody listed, or a worker with no name.
    static func problem(in hierarchy: GridHierarchy) -> (field: String, message: String)? {
        let known = Set(hierarchy.grids.map(\.path))
        for (index, assignment) in hierarchy.assignments.enumerated() {
            let worker = assignment.worker.trimmingCharacters(in: .whitespaces)
            if !(1...64).contains(worker.count) {
                return ("assignments[\(index)].worker", "a worker name is 1 to 64 characters")
            }
            for (gridIndex, grid) in assignment.grids.enumerated() {
                let listed = known.covers(grid)
                if !listed {
                    return ("assignments[\(index)].grids[\(gridIndex)]", "grid \(grid) is not in the hierarchy: list it under grids")
                }
            }
        }
        return nil
    }

    @Sendable func status(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        let now = environment.now()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? .gmt
        let status = try await environment.engine.fleetStatus(now: now, dayStart: calendar.startOfDay(for: now))
        try await environment.audit(actor.name, "status.show")
        return try JSONBody.response(status)
    }

    @Sendable func audit(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        var since: Date?
        if let text = request.uri.queryParameters["since"] {
            guard let date = (try? Date.ISO8601FormatStyle().parse(String(text)))
                    ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(String(text))) else {
                throw APIError.invalid("since is an RFC 3339 time such as 2026-11-24T00:00:00Z", field: "since")
            }
            since = date
        }
        var limit = 1_000
        if let text = request.uri.queryParameters["limit"] {
            guard let requested = Int(String(text)), requested > 0 else { throw APIError.invalid("limit is a positive integer", field: "limit") }
            limit = min(requested, 10_000)
        }
        let entries = try await environment.engine.auditEntries(since: since, limit: limit)
        try await environment.audit(actor.name, "audit.list")
        return try JSONBody.response(AuditPage(entries: entries))
    }
}
