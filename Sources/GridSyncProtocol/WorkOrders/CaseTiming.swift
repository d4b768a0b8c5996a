import Foundation
import GridSyncCore

/// The server's clock on a work order: when it received each move, and the deadlines that
/// follow from its policy. Handset clocks never count here: a worker's phone set a day wrong
/// must not make a red case look on time. `Protocol/README.md`, "Deadlines".
public struct CaseTiming: Codable, Sendable, Hashable {
    /// When the server received the report.
    public var reportedAt: Date
    /// The urgency the deadlines run for: the most urgent while `urgency` is contested.
    public var urgency: Urgency
    /// When the server first received each move, by action id.
    public var received: [String: Date]
    /// Each step's deadline, in loop order, and when it was met.
    public var steps: [StepDeadline]

    public init(reportedAt: Date, urgency: Urgency, received: [String: Date], steps: [StepDeadline]) {
        self.reportedAt = reportedAt
        self.urgency = urgency
        self.received = received
        self.steps = steps
    }

    /// Steps not met whose deadline has passed at `now` (server time). Ask it of an open case:
    /// a closed or rejected one has nothing due.
    public func overdue(at now: Date) -> [CaseStep] {
        steps.filter { $0.metAt == nil && now >= $0.dueBy }.map(\.step)
    }

    /// Steps not met that are close to their deadline at `now`, but not past it.
    public func nearlyDue(at now: Date) -> [CaseStep] {
        steps.filter { $0.metAt == nil && now >= $0.nearlyDueAt && now < $0.dueBy }.map(\.step)
    }

    /// Steps met after their deadline.
    public var late: [CaseStep] {
        steps.filter { step in step.metAt.map { $0 > step.dueBy } ?? false }.map(\.step)
    }

    /// The deadline of one step.
    public subscript(step: CaseStep) -> StepDeadline? { steps.first { $0.step == step } }
}

/// The steps of the closed loop that carry a deadline.
public enum CaseStep: String, Codable, Sendable, CaseIterable {
    /// 受理: the command centre takes the case on.
    case accept
    /// 分拨: the case goes to whoever handles it.
    case dispatch
    /// 到场: someone is on site (the seeds: within 1 hour for a red case).
    case onSite
    /// 反馈: the citizen has an answer and the case is closed (within 24 hours for red).
    case answer

    /// The states a move into which is the step itself, not a jump past it: what the figures
    /// time (a case handled on the spot was never accepted by anyone, though its accept
    /// deadline is met).
    public var takenBy: Set<WorkOrderState> {
        switch self {
        case .accept: [.accepted]
        case .dispatch: [.dispatched]
        case .onSite: [.handling, .handled]
        case .answer: [.closed, .rejected]
        }
    }

    /// The states that show the step done. A case handled on the spot (reported → handled)
    /// was accepted, dispatched and reached at once. Rejecting a case decides on it (accept) and
    /// answers it, but nobody went on site: its dispatch and on-site steps stay unmet, and a
    /// final case has nothing overdue (``CaseTiming/overdue(at:)`` is asked only of open ones).
    public var reachedBy: Set<WorkOrderState> {
        switch self {
        case .accept: [.accepted, .dispatched, .handling, .handled, .verified, .closed, .rejected]
        case .dispatch: [.dispatched, .handling, .handled, .verified, .closed]
        case .onSite: [.handling, .handled, .verified, .closed]
        case .answer: [.closed, .rejected]
        }
    }
}

/// One step's deadline.
public struct StepDeadline: Codable, Sendable, Hashable {
    public var step: CaseStep
    public var dueBy: Date
    /// From here on the step is nearly due (the policy's share of its time has gone).
    public var nearlyDueAt: Date
    /// When the server received the first move that reached the step.
    public var metAt: Date?

    public init(step: CaseStep, dueBy: Date, nearlyDueAt: Date, metAt: Date?) {
        self.step = step
        self.dueBy = dueBy
        self.nearlyDueAt = nearlyDueAt
        self.metAt = metAt
    }
}
