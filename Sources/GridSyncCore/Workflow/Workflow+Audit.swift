extension Workflow {
    /// Reads a stored record's timeline back from scratch and names the first move that should
    /// never have been stored: a state value no action records, an action whose `from` is not
    /// where the states it replaced left off, or a move the table does not allow. `nil` for a
    /// sound record. Written apart from the push checks (``violation(of:before:)``), so that a
    /// property test or a simulator can hold the server to the rules without trusting its code.
    public func firstIllegalMove(in state: RecordState) -> String? {
        var actions: [Dot: (from: String?, to: String, replaces: [Dot])] = [:]
        for (path, values) in state.entries where path.element != nil && path.property == actionsProperty {
            for value in values.values {
                guard let to = value["to"]?.stringValue, let dot = value["stateDot"]?.stringValue.flatMap(Dot.init) else {
                    return "\(path) is not a move"
                }
                let replaces = (value["replaces"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(Dot.init) }
                actions[dot] = (value["from"]?.stringValue, to, replaces)
            }
        }
        for (dot, value) in state.entries[statePath] ?? [:] {
            guard let action = actions[dot], action.to == value.stringValue else { return "\(stateProperty) at \(dot) has no action recording it" }
        }
        for (dot, action) in actions {
            // Where the move started: the replaced writes that none of the others replaced.
            let replaced = action.replaces.filter { actions[$0] != nil }
            let inner = Set(replaced.flatMap { actions[$0]!.replaces })
            let origin = Set(replaced.filter { !inner.contains($0) }.map { actions[$0]!.to })
            if origin.isEmpty {
                if action.from != nil || action.to != initial { return "the move at \(dot) creates the record in \(action.to)" }
                continue
            }
            guard let from = action.from, origin.contains(from) else {
                return "the move at \(dot) claims to leave \(action.from ?? "nothing"), but left \(origin.sorted())"
            }
            let allowed = origin.count == 1 ? transitions[from]?.contains(action.to) == true
                : origin.contains(action.to) || origin.allSatisfy { transitions[$0]?.contains(action.to) == true }
            if !allowed { return "the move at \(dot) from \(origin.sorted()) to \(action.to)" }
        }
        return nil
    }
}
