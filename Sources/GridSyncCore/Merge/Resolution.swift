/// How the command centre settles a record in conflict.
public enum Resolution: Hashable, Sendable {
    /// Take one writer's side: its value for every conflicting field, and its delete if it deleted.
    case keep(ReplicaID)
    /// Set the conflicting fields explicitly (and optionally others); the record is kept.
    case set([FieldPath: FieldValue])
    /// Keep the delete, superseding every edit.
    case delete
}

/// Why a resolution could not be built.
public struct ResolutionError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case notInConflict = "not_in_conflict"
        case unknownSibling = "unknown_sibling"
        case missingChoice = "missing_choice"
        /// The resolved record would break a rule of its kind (a missing required field, a
        /// patrol ending before it starts).
        case invalidRecord = "invalid_record"
    }

    public let code: Code
    public let message: String
    /// The field the resolution must decide, when one is to blame.
    public let field: String?

    public init(code: Code, message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { message }
}

/// One side of a conflict: what a single replica wrote to the contested fields.
public struct Sibling: Hashable, Sendable, Codable {
    public let replica: ReplicaID
    /// This side's value for each contested field it wrote, with the dot that wrote it.
    public let values: [FieldPath: FieldWrite]
    /// True when this side deleted the record.
    public let deletes: Bool
}

extension RecordState {
    /// The sides of the current conflict, one per replica that wrote a contested value.
    public var siblings: [Sibling] {
        let contested = conflictingDots
        var byReplica: [ReplicaID: [FieldPath: FieldWrite]] = [:]
        for (path, values) in entries {
            for (dot, value) in values where contested.contains(dot) {
                byReplica[dot.replica, default: [:]][path] = FieldWrite(dot: dot, value: value)
            }
        }
        return byReplica.keys.sorted().map { replica in
            var values = byReplica[replica]!
            let deletes = values.removeValue(forKey: .deleted)?.value == .bool(true)
            return Sibling(replica: replica, values: values, deletes: deletes)
        }
    }

    /// Builds the change that settles the conflict, and applies it.
    ///
    /// The change's clock extends this state's clock, so it dominates every sibling and
    /// travels to every terminal like any other edit.
    ///
    /// - Parameter restoring: when a contested delete is overruled, what the record held before
    ///   the delete (the server keeps it); fields the record no longer holds are written back,
    ///   so keeping the editor's side brings back the whole record, not just the edit. A field
    ///   that was in conflict before the delete is never picked here: the resolution must set
    ///   it, or it is refused naming that field.
    /// - Parameter note: who settles, for the action a kind with a ``Workflow`` appends when
    ///   the resolution writes its state.
    public mutating func resolve(
        _ resolution: Resolution, by replica: ReplicaID, id: ChangeID, record: RecordKey,
        restoring snapshot: DeleteSnapshot = DeleteSnapshot(), note: MoveNote? = nil
    ) throws(ResolutionError) -> Change {
        guard isInConflict else {
            throw ResolutionError(code: .notInConflict, message: "the record is not in conflict")
        }
        var choices: [FieldPath: FieldValue]
        switch resolution {
        case .delete:
            return delete(by: replica, id: id, record: record)
        case .keep(let side):
            guard let sibling = siblings.first(where: { $0.replica == side }) else {
                throw ResolutionError(code: .unknownSibling, message: "\(side) is not a side of this conflict")
            }
            if sibling.deletes { return delete(by: replica, id: id, record: record) }
            choices = sibling.values.filter { conflictingFields.contains($0.key) }.mapValues(\.value)
        case .set(let values):
            choices = values
        }
        let undecided = (conflictingFields + snapshot.stillContested(in: self).keys).filter { choices[$0] == nil }
        if let first = undecided.min() {
            let keeping = if case .keep = resolution { " (the kept side has no value for it): set it" } else { "" }
            throw ResolutionError(
                code: .missingChoice,
                message: "choose a value for: " + undecided.sorted().map(\.rawValue).joined(separator: ", ") + keeping,
                field: first.rawValue)
        }
        if let workflow = record.kind.schema.workflow, !conflictingFields.contains(workflow.statePath),
           let current = entries[workflow.statePath]?.values.first, choices[workflow.statePath] == current {
            // A `set` that repeats the uncontested state (ops sending the record whole) moves nothing.
            choices[workflow.statePath] = nil
        }
        if let workflow = record.kind.schema.workflow, let to = choices[workflow.statePath]?.stringValue {
            // Settling a workflow conflict is a move like any other: it appends its action.
            guard let note else {
                throw ResolutionError(code: .invalidRecord, message: "settling a workflow conflict needs who settles it", field: workflow.stateProperty)
            }
            do {
                choices = try workflow.move(in: self, to: to, actionID: workflow.serverActionID(in: self, by: replica), note: note,
                                            extra: choices.filter { $0.key != workflow.statePath }, by: replica)
            } catch {
                throw ResolutionError(code: .invalidRecord, message: "the resolution would be an illegal move: " + error.message, field: error.field)
            }
        }
        if isTombstoned {
            for (path, value) in snapshot.agreed where path != .deleted && entries[path] == nil && choices[path] == nil {
                choices[path] = value
            }
            choices[.deleted] = .bool(false)
        }
        return write(choices, by: replica, id: id, record: record)
    }
}
