/// Where a work order (工单) stands in the closed loop: 上报 → 受理 → 分拨 → 处置 → 确认 → 反馈.
///
/// The legal moves are written once, here, and the server, the handset and the command centre's
/// CLI all read them from ``WorkOrder/workflow``. `Protocol/README.md` ("workOrder") lists them
/// for other implementations.
public enum WorkOrderState: String, Codable, Sendable, CaseIterable, Comparable, Validatable {
    /// 上报: a worker reported it, or the command centre logged a walk-in or 12345 call.
    case reported
    /// 受理: the command centre took it on.
    case accepted
    /// 分拨: sent to whoever handles it (a department, or the grid, community or street level).
    case dispatched
    /// 处置中: someone is on site working on it.
    case handling
    /// 已处置: the handler says it is fixed.
    case handled
    /// 已确认: a grid worker checked the fix on site.
    case verified
    /// 已反馈/办结: the citizen was told, and the case is closed.
    case closed
    /// 退回: sent back, for re-dispatch or rework.
    case returned
    /// 不予受理: not a valid case. Final.
    case rejected

    /// The states each state may move to. `reported → handled` is 巡办合一: a worker who fixes
    /// a minor item on the spot reports and handles it in one visit, then verifies and closes it.
    public static let transitions: [WorkOrderState: Set<WorkOrderState>] = [
        .reported: [.accepted, .handled, .rejected],
        .accepted: [.dispatched, .rejected],
        .dispatched: [.handling, .handled, .returned],
        .handling: [.handled, .returned],
        .handled: [.verified, .returned],
        .verified: [.closed],
        .returned: [.dispatched, .handling, .rejected],
        .closed: [],
        .rejected: [],
    ]

    /// True when nothing follows: the loop is closed, or the case was refused.
    public var isFinal: Bool { Self.transitions[self]?.isEmpty ?? true }

    /// The order of the loop, for sorting timelines and "how far did it get".
    public var step: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: WorkOrderState, rhs: WorkOrderState) -> Bool { lhs.step < rhs.step }

    public func validate(at field: String) throws {}
}
