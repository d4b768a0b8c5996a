import Foundation
import GridSyncCore
import GridSyncProtocol
import Hummingbird

/// Work orders for the command centre: list, show a timeline, move, and the loop in figures.
/// `Protocol/README.md`, "Admin: work orders".
struct AdminOrderRoutes {
    let environment: ServerEnvironment

    func register(on group: RouterGroup<GridSyncRequestContext>) {
        group.get("orders", use: environment.auditingRefusals("orders.list", list))
        group.get("orders/stats", use: environment.auditingRefusals("orders.stats", stats))
        group.get("orders/:id", use: environment.auditingRefusals("orders.show", show))
        group.post("orders/:id/move", use: environment.auditingRefusals("orders.move", move))
    }

    @Sendable func list(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        let query = request.uri.queryParameters
        let under = try AdminQuery.under(request)
        let state = try query["state"].map { text in
            guard let state = WorkOrderState(rawValue: String(text)) else {
                throw APIError.invalid("state is one of \(WorkOrderState.allCases.map(\.rawValue).joined(separator: ", "))", field: "state")
            }
            return state
        }
        let urgency = try query["urgency"].map { text in
            guard let urgency = Urgency(rawValue: String(text)) else { throw APIError.invalid("urgency is red, yellow or green", field: "urgency") }
            return urgency
        }
        let assignee = query["assignee"].map(String.init)
        let overdueOnly = query["overdue"].map { $0 == "true" } ?? false
        let now = environment.now()
        var orders = try await environment.engine.workOrders(under: under).map { OrderView(stored: $0, now: now).summary }
        orders = orders.filter { order in
            (state.map(order.states.contains) ?? true) && (urgency.map { order.urgency == $0 } ?? true)
                && (assignee.map { order.assignee?.level.rawValue == $0 || order.assignee?.department == $0 } ?? true)
                && (!overdueOnly || !order.overdue.isEmpty)
        }
        // The most pressing first: overdue, then by the next deadline; closed ones last.
        orders.sort { lhs, rhs in
            if lhs.overdue.isEmpty != rhs.overdue.isEmpty { return !lhs.overdue.isEmpty }
            let left = lhs.nextDue ?? .distantFuture, right = rhs.nextDue ?? .distantFuture
            return left != right ? left < right : lhs.id < rhs.id
        }
        try await environment.audit(actor.name, "orders.list", target: under?.description)
        return try JSONBody.response(OrderList(orders: orders, asOf: now))
    }

    @Sendable func stats(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        let under = try AdminQuery.under(request)
        let now = environment.now()
        let orders = try await environment.engine.workOrders(under: under).map { OrderView(stored: $0, now: now) }
        try await environment.audit(actor.name, "orders.stats", target: under?.description)
        return try JSONBody.response(OrderStatistics.compute(orders, now: now))
    }

    @Sendable func show(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        let key = try Self.orderKey(context)
        guard let stored = try await environment.engine.record(key) else { throw APIError(.notFound, .notFound, "no work order \(key.id)") }
        try await environment.audit(actor.name, "orders.show", target: key.description)
        return try JSONBody.response(OrderView(stored: stored, now: environment.now()).detail)
    }

    @Sendable func move(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .resolver)
        let key = try Self.orderKey(context)
        var request = request
        let body = try await request.decodeJSON(OrderMoveRequest.self, limit: 64 << 10)
        let now = environment.now()
        do {
            let (changeID, stored) = try await environment.engine.moveOrder(key.id, body, actor: actor.name, at: now)
            try await environment.audit(actor.name, "orders.move", target: key.description,
                                        detail: "to \(body.to.rawValue)" + (body.reason.map { ": " + String($0.prefix(500)) } ?? ""))
            return try JSONBody.response(OrderMoveResponse(changeId: changeID, order: OrderView(stored: stored, now: now).summary))
        } catch let error as StoreError {
            if case .unavailable = error.code { throw error }
            throw switch error.code {
            case .notFound: APIError(.notFound, .notFound, "no work order \(key.id)")
            case .versionChanged: APIError(.conflict, .conflictChanged, "the order changed since it was shown: show it again and decide again")
            default: APIError(.unprocessableContent, .unprocessable, "the move could not be applied")
            }
        } catch OrderMoveRefusal.contested {
            throw APIError(.conflict, .workflowConflict, "the order's state is contested: settle the workflow conflict first (gridsync conflicts)")
        } catch let error as ValidationError {
            var refusal = APIError(.unprocessableContent, error.code == .illegalTransition ? .illegalTransition : .unprocessable, error.message)
            refusal.body.field = error.field
            throw refusal
        }
    }

    static func orderKey(_ context: GridSyncRequestContext) throws -> RecordKey {
        guard let id = context.parameters.get("id").flatMap(RecordID.init) else {
            throw APIError(.notFound, .notFound, "no such work order: the path names a work order id")
        }
        return RecordKey(kind: .workOrder, id: id)
    }
}
