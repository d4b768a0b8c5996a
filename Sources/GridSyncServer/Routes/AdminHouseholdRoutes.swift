import Foundation
import GridSyncCore
import GridSyncProtocol
import Hummingbird
import Logging

/// Households for the command centre: one shown (masked unless revealed), erasure on request,
/// and how far each erasure has reached. `Protocol/README.md`, "Admin: households" and "Erasure".
struct AdminHouseholdRoutes {
    let environment: ServerEnvironment
    let logger: Logger

    func register(on group: RouterGroup<GridSyncRequestContext>) {
        group.get("households/erasures", use: environment.auditingRefusals("households.erasures", erasures))
        group.get("households/:id", use: environment.auditingRefusals("households.show", show))
        group.post("households/:id/erase", use: environment.auditingRefusals("households.erase", erase))
    }

    @Sendable func show(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let reveal = try PersonalDataView.reveal(request)
        let actor = try await environment.authenticator.ops(request, needs: reveal ? .admin : .viewer)
        let id = try Self.householdID(context)
        let key = RecordKey(kind: .household, id: id)
        guard let stored = try await environment.engine.record(key) else {
            throw APIError(.notFound, .notFound, "no household \(id.rawValue)")
        }
        let erased = try await environment.engine.isErased(id)
        let fields = AdminConflictRoutes.comparisons(of: stored)
        try await environment.audit(actor.name, reveal ? "households.reveal" : "households.show", target: key.description)
        return try JSONBody.response(HouseholdDetail(
            id: id, grids: stored.grids, version: stored.seq, deleted: stored.state.isDeleted, erased: erased,
            inConflict: stored.state.isInConflict, masked: !reveal,
            fields: reveal ? fields : PersonalDataView.masked(fields, of: .household)))
    }

    @Sendable func erase(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .admin)
        let id = try Self.householdID(context)
        var request = request
        let body = try await request.decodeJSON(EraseRequest.self, limit: 16 << 10)
        let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(reason.count) else {
            throw APIError.invalid("give a reason of 1 to 500 characters, such as the request's reference: it is kept with the erasure", field: "reason")
        }
        let report: ErasureReport, now = environment.now()
        do {
            report = try await environment.engine.erase(id, actor: actor.name, reason: reason, at: now)
        } catch let error as StoreError where error.code == .notFound {
            throw APIError(.notFound, .notFound, "no household \(id.rawValue): it was never synced, or was purged after its delete")
        }
        guard report.erasedAt == now else {
            // Erased before: the first erasure stands, and this request goes on the record too.
            try await environment.audit(actor.name, "households.erase", target: "household/\(id.rawValue)", outcome: "already_erased", detail: reason)
            return try JSONBody.response(report)
        }
        // The old bytes may still sit in the write-ahead log; housekeeping retries if readers held it.
        if try await !environment.engine.store.scrub() {
            environment.scrubOwed.owe()
            logger.notice("the store could not be scrubbed right after an erasure; housekeeping will try again")
        }
        environment.metrics.countErasure()
        return try JSONBody.response(report)
    }

    @Sendable func erasures(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        let list = ErasureList(erasures: try await environment.engine.erasures())
        try await environment.audit(actor.name, "households.erasures")
        return try JSONBody.response(list)
    }

    static func householdID(_ context: GridSyncRequestContext) throws -> RecordID {
        guard let id = context.parameters.get("id").flatMap(RecordID.init) else {
            throw APIError(.notFound, .notFound, "no such household: the path names a household id")
        }
        return id
    }
}
