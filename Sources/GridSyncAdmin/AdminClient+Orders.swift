import GridSyncCore
import GridSyncProtocol

/// Which work orders to list.
public struct OrderFilter: Sendable, Hashable {
    public var under: GridPath?
    public var state: WorkOrderState?
    public var urgency: Urgency?
    /// A level (grid, community, street) or a department.
    public var assignee: String?
    /// Only orders past a deadline now.
    public var overdue: Bool

    public init(under: GridPath? = nil, state: WorkOrderState? = nil, urgency: Urgency? = nil, assignee: String? = nil, overdue: Bool = false) {
        self.under = under
        self.state = state
        self.urgency = urgency
        self.assignee = assignee
        self.overdue = overdue
    }
}

/// Work orders through the closed loop. `Protocol/README.md`, "Admin: work orders".
extension AdminClient {
    public func orders(_ filter: OrderFilter = OrderFilter()) async throws -> OrderList {
        var query: [String: String] = [:]
        if let under = filter.under { query["under"] = under.description }
        if let state = filter.state { query["state"] = state.rawValue }
        if let urgency = filter.urgency { query["urgency"] = urgency.rawValue }
        if let assignee = filter.assignee { query["assignee"] = assignee }
        if filter.overdue { query["overdue"] = "true" }
        return try await get(OrderList.self, "v1/admin/orders", query: query)
    }

    public func order(_ id: RecordID) async throws -> OrderDetail {
        try await get(OrderDetail.self, "v1/admin/orders/\(id.rawValue)")
    }

    public func orderStats(under: GridPath? = nil) async throws -> OrderStats {
        try await get(OrderStats.self, "v1/admin/orders/stats", query: under.map { ["under": $0.description] } ?? [:])
    }

    /// Moves a work order (受理, 分拨, 退回, …), once: a refusal is the person's to read.
    public func move(order id: RecordID, _ request: OrderMoveRequest) async throws -> OrderMoveResponse {
        try await send(OrderMoveResponse.self, "POST", "v1/admin/orders/\(id.rawValue)/move", body: request)
    }

    /// Moves a work order for an unattended tool that retries: a move whose answer was lost and
    /// that is sent again finds the order already moved (`illegal_transition`), which is done,
    /// not failed.
    public func ensureMoved(order id: RecordID, _ request: OrderMoveRequest) async throws {
        do {
            _ = try await move(order: id, request)
        } catch let error as AdminError where error.kind != .unreachable {
            guard try await order(id).order.states == [request.to] else { throw error }
        }
    }
}
