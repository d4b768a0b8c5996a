import Foundation
import GridSyncCore
import GridSyncProtocol

/// Decides what one pushed change does to its record: refuse it, or merge it into a new state.
///
/// Pure, so every store (SQLite now, PostgreSQL later) makes the same decisions, and so the
/// rules can be tested without a database. A store loads the record, asks, and saves.
public struct ChangeDecider: Sendable {
    /// The largest stored state a change may leave (`FieldValueBounds.maximumRecordBytes`).
    public let maximumRecordBytes: Int

    public init(maximumRecordBytes: Int = FieldValueBounds.maximumRecordBytes) {
        self.maximumRecordBytes = maximumRecordBytes
    }

    public enum Decision: Sendable, Equatable {
        case reject(RejectReason)
        /// The new state and the grids it now belongs to. `changed` is false when the join
        /// left the state as it was (a duplicate). `encoded` is the new state's canonical JSON
        /// when it changed (its size was checked against the record bound), for the store to save.
        case merge(state: RecordState, grids: [GridPath], outcome: MergeOutcome, changed: Bool, encoded: Data?)
    }

    /// Everything about a change that needs no stored record: its values, and the rules a
    /// brand-new record must meet. Request handlers run this in parallel, before the change
    /// queues for the single write transaction.
    public func check(_ change: Change) -> CheckedChange {
        do {
            try change.validate()
        } catch let error as ValidationError {
            return CheckedChange(change: change, invalid: RejectReason(error), asNewRecord: nil)
        } catch {
            return CheckedChange(change: change, invalid: RejectReason(code: ValidationError.Code.wrongType.rawValue, message: "the change could not be read"), asNewRecord: nil)
        }
        return CheckedChange(change: change, invalid: nil, asNewRecord: newRecordRejection(change))
    }

    private func newRecordRejection(_ change: Change) -> RejectReason? {
        if change.isDelete {
            return RejectReason(code: RejectReason.incompleteRecordCode, message: "cannot delete a record the server has never seen")
        }
        let written = Set(change.writes.keys.map { String($0.property) })
        if let missing = change.record.kind.schema.requiredProperties.first(where: { !written.contains($0) }) {
            return RejectReason(
                code: RejectReason.incompleteRecordCode,
                message: "a new \(change.record.kind.rawValue) must set \(missing)", field: missing)
        }
        var state = RecordState()
        state.apply(change)
        return RecordRules.check(state, kind: change.record.kind, touching: change.writes.keys, previous: nil).map(RejectReason.init)
    }

    /// The replicas, other than the pushing device's own, whose authority a change relies on: its
    /// author, and the replicas of every dot it supersedes or counts in its clock beyond what the
    /// record has seen. Empty for nearly every change, so a store looks up the worker's other
    /// replica ids only when this is not.
    public func replicasToVouchFor(_ change: Change, stored: StoredRecord?, device: ReplicaID) -> Set<ReplicaID> {
        let state = stored?.state ?? RecordState()
        var replicas = Set<ReplicaID>()
        if let author = change.author { replicas.insert(author) }
        for dot in change.supersedes where !state.context.contains(dot) { replicas.insert(dot.replica) }
        for (replica, counter) in change.clock.counters where counter > state.clock[replica] { replicas.insert(replica) }
        replicas.remove(device)
        return replicas
    }

    /// - Parameters:
    ///   - writer: every replica id the pushing device may write under: its own, and those of
    ///     earlier handsets of the same worker (an imported outbox after a re-install).
    ///   - inherited: what refused changes, whose dots this change supersedes, had superseded.
    ///     The change replaces those of them it could have replaced itself (values of the fields
    ///     it writes): its writer had replaced them in the refused change, and must not be left
    ///     in conflict with its own older value.
    public func decide(_ checked: CheckedChange, stored: StoredRecord?, scope: [GridPath], writer: Set<ReplicaID>,
                       inherited: [Dot] = []) -> Decision {
        if let invalid = checked.invalid { return .reject(invalid) }
        let before = stored?.state ?? RecordState()
        let change = checked.change.alsoSuperseding(Self.applicable(inherited, to: checked.change, before: before))

        // Both the grid the record is in and the grid it is moved to must be the device's:
        // otherwise a worker could pull a household into their grid, or push one out of it.
        let currentGrids = stored?.grids ?? []
        if (currentGrids + [change.writtenGrid].compactMap { $0 }).contains(where: { !scope.covers($0) }) {
            return .reject(RejectReason(
                code: RejectReason.outOfScopeCode,
                message: "the record's grid is outside this device's assigned grids", field: "grid"))
        }

        if let forged = forgery(change, before: before, writer: writer) { return .reject(RejectReason(forged)) }
        if let reused = reusedDot(change, before: before) { return .reject(RejectReason(reused)) }
        if before.isEmpty, let rejection = checked.asNewRecord { return .reject(rejection) }

        // Append-only elements never change once written; a different value under the same
        // element id is a client bug, and merging it would show up as a baffling conflict.
        let schema = change.record.kind.schema
        for (path, write) in change.writes where path.element != nil {
            guard case .appendOnly = schema.properties[String(path.property)]?.granularity,
                  let existing = before.entries[path]?.values, !existing.isEmpty, !existing.contains(write.value) else { continue }
            return .reject(RejectReason(ValidationError(.immutableElement, field: path.rawValue, "\(path.property) elements cannot change once written")))
        }

        // A move of a state machine must be legal from the state it leaves, in any delivery order:
        // judged on the change as its writer built it. What it inherits from refused changes
        // depends on what the record holds when it arrives, so it must not sway the verdict.
        if let workflow = schema.workflow, let illegal = workflow.violation(of: checked.change, before: before) {
            return .reject(RejectReason(illegal))
        }

        var after = before
        let outcome = after.apply(change)
        if after.clock.counters.count > RecordState.maximumReplicas {
            return .reject(RejectReason(ValidationError(
                .tooManyReplicas, field: "clock", "a record's clock names at most \(RecordState.maximumReplicas) replicas")))
        }
        if !before.isEmpty, let failure = RecordRules.check(after, kind: change.record.kind, touching: change.writes.keys, previous: before) {
            return .reject(RejectReason(failure))
        }
        let changed = after != before
        let encoded = changed ? CompactJSON.encode(after) : nil
        if let encoded, encoded.count > maximumRecordBytes {
            return .reject(RejectReason(ValidationError(
                .recordTooLarge, field: change.writes.keys.min()!.rawValue,
                "the record would be larger than \(maximumRecordBytes) bytes: it takes no more")))
        }
        let grids = RecordRules.grids(of: after, fallback: currentGrids)
        return .merge(state: after, grids: grids, outcome: outcome, changed: changed, encoded: encoded)
    }

    /// What the refused changes whose dots `change` supersedes had superseded, followed through
    /// chains of refusals; `refused` looks up what the refused change that wrote a dot
    /// superseded. Empty, with no look-up, unless the change supersedes a dot the record never
    /// held, which is how a change that follows a refused one of the same field arrives.
    public static func inheritedSupersedes(_ change: Change, stored: StoredRecord,
                                           refused: (Dot) throws -> [Dot]?) rethrows -> [Dot] {
        var pending = change.supersedes.filter { !stored.state.context.contains($0) }
        var visited = Set(pending)
        var inherited: [Dot] = []
        while let dot = pending.popLast() {
            for next in try refused(dot) ?? [] where visited.insert(next).inserted {
                inherited.append(next)
                if !stored.state.context.contains(next) { pending.append(next) }
            }
        }
        return inherited
    }

    /// What a store remembers under each dot a refused change wrote, for
    /// ``inheritedSupersedes``: everything it superseded, its own inheritance included, so a chain
    /// of refusals is followed. Only a refusal of the device's own writing is remembered: a change
    /// written under a replica it never held must not decide what that replica's later changes
    /// replace.
    public static func supersededByRefusal(_ change: Change, inherited: [Dot], writer: Set<ReplicaID>) -> [Dot] {
        guard let author = change.author, writer.contains(author) else { return [] }
        return Set(change.supersedes + inherited).sorted()
    }

    /// Of what refused changes superseded, the part a change takes over: the values the record
    /// now holds in the fields the change writes (in every field, for a delete). A refused change
    /// may have written other fields too; a later change that follows it in one field must not
    /// empty another.
    static func applicable(_ inherited: [Dot], to change: Change, before: RecordState) -> [Dot] {
        guard !inherited.isEmpty else { return [] }
        if change.isDelete { return inherited.filter(before.context.contains) }
        let held = Set(change.writes.keys.flatMap { before.entries[$0]?.keys.map { $0 } ?? [] })
        return inherited.filter(held.contains)
    }

    /// A dot names one write, ever. A change the server has not seen before (a re-sent one is
    /// answered from its first result and never gets here) that writes under a dot the record
    /// has already seen is harmless only if it repeats that write exactly; otherwise its replica
    /// reused a counter (it lost its state for the record, say), and merging it would answer
    /// `stale` and drop the edit without a word. Refused, it is parked where a person sees it.
    private func reusedDot(_ change: Change, before: RecordState) -> ValidationError? {
        for (path, write) in change.writes.sorted(by: { $0.key < $1.key }) where before.context.contains(write.dot) {
            if before.entries[path]?[write.dot] == write.value { continue }
            return ValidationError(.reusedDot, field: path.rawValue,
                                   "this write's dot was already used by another write to this record: a replica never reuses a counter")
        }
        return nil
    }

    /// A change may speak only for replicas the device holds or held: it writes under one of
    /// them, and it claims to have seen another replica's write only if the record has seen it.
    /// Otherwise a device could write under a victim's replica id, or supersede dots the victim
    /// has not written yet, and the victim's later edits would arrive as already seen and vanish.
    private func forgery(_ change: Change, before: RecordState, writer: Set<ReplicaID>) -> ValidationError? {
        if let author = change.author, !writer.contains(author) {
            let field = change.writes.keys.min()!.rawValue
            return ValidationError(.foreignReplica, field: field, "a device writes only under its own replica id, or one its worker's earlier handsets held")
        }
        if change.supersedes.contains(where: { !writer.contains($0.replica) && !before.context.contains($0) }) {
            return ValidationError(.unknownDot, field: "supersedes", "supersedes another replica's write that this record has never held")
        }
        if change.clock.counters.contains(where: { !writer.contains($0.key) && $0.value > before.clock[$0.key] }) {
            return ValidationError(.unknownDot, field: "clock", "the clock counts another replica's writes that this record has never held")
        }
        return nil
    }
}

/// A change with the checks that need no stored record already made.
public struct CheckedChange: Sendable {
    public let change: Change
    let invalid: RejectReason?
    /// Why the change could not create the record on its own, if the record turns out new.
    let asNewRecord: RejectReason?
}
