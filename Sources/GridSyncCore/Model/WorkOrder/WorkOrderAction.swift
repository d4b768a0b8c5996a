import Foundation

/// One line of a work order's timeline: who moved it, from which state to which, and why.
///
/// Actions are append-only, so concurrent moves all stay in the timeline. `stateDot` names the
/// write of `state` this action records: it is how the server learns, in any delivery order,
/// which state a later move started from, even after a concurrent move replaced that value.
public struct WorkOrderAction: Codable, Sendable, Hashable, Validatable, Identified {
    public var id: RecordID
    /// The state the mover saw; absent only on the report that creates the order.
    public var from: WorkOrderState?
    public var to: WorkOrderState
    /// The worker, department or ops operator who moved it.
    public var by: String
    /// The mover's clock: shown to people, never used to order anything. Deadlines count from
    /// the server's receipt of the action instead.
    public var at: Date
    public var reason: String?
    public var stateDot: Dot
    /// The state writes this move replaced (the ones actions record), so that of a chain of
    /// moves a later move supersedes, only the last counts as where it started.
    public var replaces: [Dot]

    public init(id: RecordID, from: WorkOrderState?, to: WorkOrderState, by: String, at: Date, reason: String? = nil,
                stateDot: Dot, replaces: [Dot] = []) {
        self.id = id
        self.from = from
        self.to = to
        self.by = by
        self.at = at
        self.reason = reason
        self.stateDot = stateDot
        self.replaces = replaces
    }

    public func validate(at field: String) throws {
        try TextRule.check(by, at: field + ".by", maximum: 64, required: true)
        try TextRule.check(reason ?? "", at: field + ".reason", maximum: 1_000)
        try TextRule.checkCount(replaces.count, at: field + ".replaces", maximum: 100)
    }
}
