/// One record's complete, mergeable state: every surviving value with the dot that wrote it.
///
/// Each field is a multi-value register. Normally it holds one value; after concurrent edits
/// of the same field it holds all of them (the siblings) until a later write that saw them
/// replaces them. Nothing is ever dropped by comparing times or replica names.
///
/// `merge(_:)` is a join: commutative, associative and idempotent, so replicas that have seen
/// the same changes hold the same state whatever order the changes arrived in.
public struct RecordState: Hashable, Sendable {
    /// Surviving values per field, keyed by the dot that wrote each.
    public internal(set) var entries: [FieldPath: [Dot: FieldValue]]
    /// Exactly which dots this state has seen, surviving or replaced.
    public internal(set) var context: CausalContext
    /// Everything any writer of this state had seen: the clock the next writer extends.
    public internal(set) var clock: VectorClock

    /// The most replicas one record's clock may name. Honest records name the few devices (and
    /// server instances) that wrote them; the cap keeps every record small enough to edit.
    public static let maximumReplicas = 1_024

    public init() {
        self.init(entries: [:], context: .empty, clock: .empty)
    }

    /// Rebuilds a state from its parts, such as after decoding from the wire or a database.
    public init(entries: [FieldPath: [Dot: FieldValue]], context: CausalContext, clock: VectorClock) {
        self.entries = entries.filter { !$0.value.isEmpty }
        self.context = context
        self.clock = clock.merged(with: context.clock)
    }

    /// The first required property of `kind` (in name order) with no value here, if any. A live
    /// record must have none missing.
    public func missingRequired(of kind: RecordKind) -> String? {
        kind.schema.requiredProperties.first { name in
            entries[FieldPath(name)!]?.values.contains { $0 != .null } != true
        }
    }

    /// True before any change has been applied.
    public var isEmpty: Bool { entries.isEmpty && context == .empty }

    /// Joins another state into this one.
    public mutating func merge(_ other: RecordState) {
        var joined: [FieldPath: [Dot: FieldValue]] = [:]
        for path in Set(entries.keys).union(other.entries.keys) {
            let mine = entries[path] ?? [:]
            let theirs = other.entries[path] ?? [:]
            var kept: [Dot: FieldValue] = [:]
            // A value survives unless the other side has seen its dot and no longer holds it.
            for (dot, value) in mine where theirs[dot] != nil || !other.context.contains(dot) {
                kept[dot] = value
            }
            // A dot names one write, so the two sides agree on its value; should a forged change
            // reuse a dot, the value already held here stays.
            for (dot, value) in theirs where kept[dot] == nil && (mine[dot] != nil || !context.contains(dot)) {
                kept[dot] = value
            }
            if !kept.isEmpty { joined[path] = kept }
        }
        entries = joined
        context.formUnion(other.context)
        clock.merge(other.clock)
    }

    public func merged(with other: RecordState) -> RecordState {
        var result = self
        result.merge(other)
        return result
    }

    /// The delta a change stands for: its writes, and a context of what it wrote and replaced.
    public init(_ change: Change) {
        var context = CausalContext(dots: change.supersedes)
        var entries: [FieldPath: [Dot: FieldValue]] = [:]
        for (path, write) in change.writes {
            entries[path] = [write.dot: write.value]
            context.insert(write.dot)
        }
        self.init(entries: entries, context: context, clock: change.clock)
    }
}
