/// The actions a record holds, as the workflow rules read them.
struct RecordedMove: Hashable {
    let path: FieldPath
    let to: String
    let stateDot: Dot
    let replaces: Set<Dot>
}

/// The states a move starts from, as the record's actions tell it.
public struct MoveOrigin: Sendable, Hashable {
    /// The state writes the move supersedes that some action records.
    public let known: Set<Dot>
    /// The `to` of the known writes no other known write replaced: the states the move leaves.
    /// Empty for the creating report; several only when the move settles a workflow conflict.
    public let states: Set<String>
}

extension Workflow {
    /// Every move the record's actions record. An action without a readable `to` or `stateDot`
    /// cannot be one the server accepted, and is passed over.
    func recordedMoves(in state: RecordState) -> [RecordedMove] {
        var moves: [RecordedMove] = []
        for (path, values) in state.entries where path.element != nil && path.property == actionsProperty {
            for action in values.values {
                guard let to = action["to"]?.stringValue, let dot = action["stateDot"]?.stringValue.flatMap(Dot.init) else { continue }
                let replaces = action["replaces"]?.arrayValue?.compactMap { $0.stringValue.flatMap(Dot.init) } ?? []
                moves.append(RecordedMove(path: path, to: to, stateDot: dot, replaces: Set(replaces)))
            }
        }
        return moves
    }

    /// Where a change that supersedes `superseded` moves from. Because a client supersedes its
    /// confirmed state too, a move usually supersedes a chain (dispatched, then its own pending
    /// handled); only the end of the chain counts, or an old state could be claimed as `from`.
    public func frontier(superseding superseded: Set<Dot>, in state: RecordState) -> MoveOrigin {
        let known = recordedMoves(in: state).filter { superseded.contains($0.stateDot) }
        let replacedWithin = Set(known.flatMap(\.replaces))
        let ends = known.filter { !replacedWithin.contains($0.stateDot) }
        return MoveOrigin(known: Set(known.map(\.stateDot)), states: Set(ends.map(\.to)))
    }
}
