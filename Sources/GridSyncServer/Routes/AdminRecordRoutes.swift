import Foundation
import GridSyncCore
import GridSyncProtocol
import Hummingbird

/// Setting a record aside, and bringing it back. `Protocol/README.md`, "Admin: records".
///
/// A record that breaks something downstream (one stored before values were bounded, say)
/// must never stop a grid: ops quarantine it, pull stops serving it, the rest of the grid syncs,
/// and it is released once looked at. Pushes to it still merge, so no terminal loses work.
struct AdminRecordRoutes {
    let environment: ServerEnvironment

    func register(on group: RouterGroup<GridSyncRequestContext>) {
        group.get("records/quarantined", use: environment.auditingRefusals("records.quarantined", list))
        group.post("records/:kind/:id/quarantine", use: environment.auditingRefusals("records.quarantine", quarantine))
        group.post("records/:kind/:id/release", use: environment.auditingRefusals("records.release", release))
    }

    @Sendable func list(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        let records = try await environment.engine.quarantined()
        try await environment.audit(actor.name, "records.quarantined")
        return try JSONBody.response(QuarantineList(records: records))
    }

    @Sendable func quarantine(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .admin)
        let key = try AdminConflictRoutes.recordKey(context)
        var request = request
        let body = try await request.decodeJSON(QuarantineRequest.self, limit: 16 << 10)
        let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(reason.count) else {
            throw APIError.invalid("give a reason of 1 to 500 characters, for the audit log", field: "reason")
        }
        guard try await environment.engine.quarantine(key, reason: reason, at: environment.now()) else {
            throw APIError(.notFound, .notFound, "no record \(key)")
        }
        try await environment.audit(actor.name, "records.quarantine", target: key.description, detail: reason)
        return Response(status: .noContent)
    }

    @Sendable func release(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .admin)
        let key = try AdminConflictRoutes.recordKey(context)
        guard try await environment.engine.release(key, actor: "ops:" + actor.name, at: environment.now()) else {
            throw APIError(.notFound, .notFound, "\(key) is not quarantined")
        }
        try await environment.audit(actor.name, "records.release", target: key.description)
        return Response(status: .noContent)
    }
}
