import Foundation

/// Who makes a move and why: what the timeline shows. `at` is the mover's clock, for people;
/// nothing is ordered or timed by it.
public struct MoveNote: Sendable, Hashable {
    public var by: String
    public var at: Date
    public var reason: String?

    /// `by` is cut to 64 characters, the most an action's `by` holds: a long ops token name
    /// must not make a move impossible.
    public init(by: String, at: Date, reason: String? = nil) {
        self.by = String(by.prefix(64))
        self.at = at
        self.reason = reason
    }
}

extension Workflow {
    /// The fields a replica writes to move `state` to `to`: the state, the action `actionID`
    /// recording it, and `extra` fields that go with the move (an assignee with a dispatch).
    /// Throws `illegal_transition` when the server would refuse the move, so a handset refuses
    /// it on the spot, offline, with the server's code.
    ///
    /// - Parameter alsoSuperseding: what the write will supersede beyond what `state` holds in
    ///   the written fields (a client's confirmed values, see `Protocol/README.md`, "Building a
    ///   change"); the action's `replaces` must cover the recorded state writes among them.
    public func move(
        in state: RecordState, to: String, actionID: RecordID, note: MoveNote, extra: [FieldPath: FieldValue] = [:],
        by replica: ReplicaID, alsoSuperseding: [Dot] = []
    ) throws(ValidationError) -> [FieldPath: FieldValue] {
        let actionPath = FieldPath(actionsProperty, element: actionID.rawValue)
        guard state.entries[actionPath] == nil else {
            throw ValidationError(.illegalTransition, field: actionPath.rawValue, "an action id is used once")
        }
        var fields = extra
        fields[statePath] = .string(to)
        fields[actionPath] = .null
        let stateDot = state.nextDots(for: fields.keys, by: replica)[statePath]!
        let superseded = Set(state.entries[statePath]?.keys.map { $0 } ?? []).union(alsoSuperseding)
        let origin = frontier(superseding: superseded, in: state)
        // Settling a conflict names one of the sides left as `from`; the timeline shows them all.
        let from = origin.states.count == 1 ? origin.states.first : origin.states.subtracting([to]).min() ?? origin.states.min()
        if let illegal = illegality(from: origin.states, claimed: from, to: to, actionPath: actionPath, held: states(in: state)) { throw illegal }
        fields[actionPath] = Self.action(id: actionID, from: from, to: to, note: note, stateDot: stateDot, replaces: origin.known)
        return fields
    }

    /// The id of the action a server replica appends when it moves the record (a resolution,
    /// a command-centre move): its replica and next counter, `server-7`, the same in every
    /// implementation, so vectors can name it. Should a terminal have taken that id already,
    /// the next counter up that is free: a forged action id cannot stop the command centre.
    public func serverActionID(in state: RecordState, by replica: ReplicaID) -> RecordID {
        var counter = state.clock[replica] + 1
        while state.entries[FieldPath(actionsProperty, element: "\(replica.rawValue)-\(counter)")] != nil { counter += 1 }
        return RecordID("\(replica.rawValue)-\(counter)")!
    }

    /// An action element as the wire carries it.
    static func action(id: RecordID, from: String?, to: String, note: MoveNote, stateDot: Dot, replaces: Set<Dot>) -> FieldValue {
        var object: [String: FieldValue] = [
            "id": .string(id.rawValue), "to": .string(to), "by": .string(note.by),
            "at": .string(FieldValueCoding.text(of: note.at)),
            "stateDot": .string(stateDot.description), "replaces": .array(replaces.sorted().map { .string($0.description) }),
        ]
        if let from { object["from"] = .string(from) }
        if let reason = note.reason { object["reason"] = .string(reason) }
        return .object(object)
    }
}
