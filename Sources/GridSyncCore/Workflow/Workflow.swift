/// A record kind's state machine: one register holds the state, and an append-only collection
/// holds the moves (actions) that wrote it. ``WorkOrder`` is the kind that has one.
///
/// Why it merges safely without ever comparing times: a move is an ordinary change that writes
/// the state and appends one action naming the move's `from` and `to`, the dot of its own state
/// write (`stateDot`) and the state writes it replaced (`replaces`). The state a move started
/// from is therefore a fact of the record, kept in actions that are never removed: the `to` of
/// the actions whose state writes the move supersedes and no other of them replaced (see
/// ``frontier(superseding:in:)``). It is the same in every delivery order, even after a
/// concurrent move replaced that state value, so the server refuses an illegal move wherever
/// it arrives. Concurrent moves to the same
/// state hold equal values and merge; different ones stay as siblings of `state`, a workflow
/// conflict the command centre settles.
public struct Workflow: Sendable {
    public let stateProperty: String
    public let actionsProperty: String
    /// The state a record is created in.
    public let initial: String
    /// The states each state may move to.
    public let transitions: [String: Set<String>]

    public init(stateProperty: String, actionsProperty: String, initial: String, transitions: [String: Set<String>]) {
        self.stateProperty = stateProperty
        self.actionsProperty = actionsProperty
        self.initial = initial
        self.transitions = transitions
    }

    public var statePath: FieldPath { FieldPath(stateProperty)! }

    /// Whether a move from `from` to `to` is legal; `from` nil is the creating report.
    public func isLegal(from: String?, to: String) -> Bool {
        guard let from else { return to == initial }
        return transitions[from]?.contains(to) ?? false
    }

    /// Whether a move that replaces every state in `from` (several while a workflow conflict is
    /// open) may write `to`. Settling a conflict may keep one side (each side's state was reached
    /// legally) or move on to a state every side may move to.
    public func isLegal(replacing from: Set<String>, to: String) -> Bool {
        if from.isEmpty { return to == initial }
        if from.count == 1 { return isLegal(from: from.first!, to: to) }
        return from.contains(to) || from.allSatisfy { isLegal(from: $0, to: to) }
    }

    /// The states a record holds now, siblings included.
    public func states(in state: RecordState) -> Set<String> {
        Set(state.entries[statePath]?.values.compactMap(\.stringValue) ?? [])
    }
}
