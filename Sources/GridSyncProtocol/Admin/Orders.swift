import Foundation
import GridSyncCore

/// A row of `GET /v1/admin/orders`. `Protocol/README.md`, "Admin: work orders".
public struct OrderSummary: Codable, Sendable, Hashable {
    public var id: RecordID
    public var grids: [GridPath]
    /// The order's state; several while a workflow conflict is open.
    public var states: [WorkOrderState]
    public var urgency: Urgency?
    public var category: WorkOrderCategory?
    public var summary: String?
    public var assignee: Assignee?
    public var reporter: String?
    /// When the server received the report.
    public var reportedAt: Date?
    public var inConflict: Bool
    /// Steps not met whose deadline has passed, as of the list's `asOf`.
    public var overdue: [CaseStep]
    public var nearlyDue: [CaseStep]
    /// The deadline of the first step not yet met.
    public var nextDue: Date?
    /// Pass back as `expectedVersion` when moving the order.
    public var version: Int64

    public init(id: RecordID, grids: [GridPath], states: [WorkOrderState], urgency: Urgency?, category: WorkOrderCategory?, summary: String?,
                assignee: Assignee?, reporter: String?, reportedAt: Date?, inConflict: Bool, overdue: [CaseStep], nearlyDue: [CaseStep],
                nextDue: Date?, version: Int64) {
        self.id = id
        self.grids = grids
        self.states = states
        self.urgency = urgency
        self.category = category
        self.summary = summary
        self.assignee = assignee
        self.reporter = reporter
        self.reportedAt = reportedAt
        self.inConflict = inConflict
        self.overdue = overdue
        self.nearlyDue = nearlyDue
        self.nextDue = nextDue
        self.version = version
    }

    /// True while the loop is not closed: no state is final.
    public var isOpen: Bool { !states.allSatisfy(\.isFinal) }
}

public struct OrderList: Codable, Sendable, Hashable {
    public var orders: [OrderSummary]
    /// The server time the flags were computed at.
    public var asOf: Date

    public init(orders: [OrderSummary], asOf: Date) {
        self.orders = orders
        self.asOf = asOf
    }
}

/// One move in an order's timeline.
public struct TimelineEntry: Codable, Sendable, Hashable {
    public var action: RecordID
    public var from: WorkOrderState?
    public var to: WorkOrderState
    public var by: String
    /// The mover's clock: shown, never trusted.
    public var at: Date
    /// When the server received the move.
    public var receivedAt: Date?
    public var reason: String?

    public init(action: RecordID, from: WorkOrderState?, to: WorkOrderState, by: String, at: Date, receivedAt: Date?, reason: String?) {
        self.action = action
        self.from = from
        self.to = to
        self.by = by
        self.at = at
        self.receivedAt = receivedAt
        self.reason = reason
    }
}

/// `GET /v1/admin/orders/{id}`.
public struct OrderDetail: Codable, Sendable, Hashable {
    public var order: OrderSummary
    public var source: WorkOrderSource?
    public var handlingNotes: String?
    public var feedback: CitizenFeedback?
    public var photos: Int
    /// The blobs the order's photos name, for `GET /v1/admin/blobs/{sha256}`; absent from
    /// servers older than photo uploads.
    public var photoDigests: [BlobDigest]?
    /// Every move, in the order the server received them (the movers' clocks break no ties).
    public var timeline: [TimelineEntry]
    public var timing: CaseTiming?
    public var asOf: Date

    public init(order: OrderSummary, source: WorkOrderSource?, handlingNotes: String?, feedback: CitizenFeedback?, photos: Int,
                photoDigests: [BlobDigest]? = nil, timeline: [TimelineEntry], timing: CaseTiming?, asOf: Date) {
        self.photoDigests = photoDigests
        self.order = order
        self.source = source
        self.handlingNotes = handlingNotes
        self.feedback = feedback
        self.photos = photos
        self.timeline = timeline
        self.timing = timing
        self.asOf = asOf
    }
}

/// `POST /v1/admin/orders/{id}/move`: the command centre moves an order (受理, 分拨, 退回,
/// 不予受理, 办结…), optionally naming who it goes to.
public struct OrderMoveRequest: Codable, Sendable, Hashable {
    public var to: WorkOrderState
    public var reason: String?
    public var assignee: Assignee?
    /// When given, the move is refused `409 conflict_changed` if the order changed since.
    public var expectedVersion: Int64?

    public init(to: WorkOrderState, reason: String? = nil, assignee: Assignee? = nil, expectedVersion: Int64? = nil) {
        self.to = to
        self.reason = reason
        self.assignee = assignee
        self.expectedVersion = expectedVersion
    }
}

public struct OrderMoveResponse: Codable, Sendable, Hashable {
    public var changeId: ChangeID
    public var order: OrderSummary

    public init(changeId: ChangeID, order: OrderSummary) {
        self.changeId = changeId
        self.order = order
    }
}

/// `GET /v1/admin/orders/stats`: the closed loop in figures.
public struct OrderStats: Codable, Sendable, Hashable {
    public var asOf: Date
    public var total: Int
    public var open: Int
    /// Orders per state; an order in a workflow conflict counts under `contested`.
    public var byState: [String: Int]
    /// Closed (fed back) orders as a share of all orders not rejected.
    public var closureRate: Double?
    /// Of closed orders, the share resolved at each level (`grid`, `community`, `street`) and by
    /// a department (`department`); an order handled on the spot is the grid's.
    public var resolvedAt: [String: Double]
    /// Median seconds from the report to each step, over the orders a move took through it
    /// (``CaseStep/takenBy``): a case handled on the spot is timed to on site and to the
    /// answer, never to an acceptance nobody made.
    public var medianSecondsToStep: [String: Double]
    /// Open orders past a deadline now, by urgency.
    public var overdueByUrgency: [String: Int]
    /// Orders that met some step after its deadline, by urgency.
    public var lateByUrgency: [String: Int]
    public var byCategory: [String: Int]
    /// By community: the grid path's first three levels (district/street/community).
    public var byCommunity: [String: Int]
    public var byReporter: [String: Int]

    public init(asOf: Date, total: Int, open: Int, byState: [String: Int], closureRate: Double?, resolvedAt: [String: Double],
                medianSecondsToStep: [String: Double], overdueByUrgency: [String: Int], lateByUrgency: [String: Int],
                byCategory: [String: Int], byCommunity: [String: Int], byReporter: [String: Int]) {
        self.asOf = asOf
        self.total = total
        self.open = open
        self.byState = byState
        self.closureRate = closureRate
        self.resolvedAt = resolvedAt
        self.medianSecondsToStep = medianSecondsToStep
        self.overdueByUrgency = overdueByUrgency
        self.lateByUrgency = lateByUrgency
        self.byCategory = byCategory
        self.byCommunity = byCommunity
        self.byReporter = byReporter
    }
}
