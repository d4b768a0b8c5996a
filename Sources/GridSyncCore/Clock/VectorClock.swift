/// How much of a record's history a replica has seen: for each replica, the highest counter.
///
/// Comparison is the only ordering GridSync uses. Handset wall clocks are routinely hours off,
/// so nothing here, or anywhere in the merge, looks at a timestamp.
///
/// For example:
/// ```swift
/// let worker = VectorClock([a: 2, b: 1])
/// let cadre = VectorClock([a: 1, b: 2])
/// worker.compare(to: cadre)           // .concurrent
/// worker.merged(with: cadre)          // [a: 2, b: 2]
/// ```
public struct VectorClock: Hashable, Sendable {
    /// Zero entries are never stored, so equal histories have equal values.
    public private(set) var counters: [ReplicaID: UInt64]

    public init(_ counters: [ReplicaID: UInt64] = [:]) {
        self.counters = counters.filter { $0.value > 0 }
    }

    public static let empty = VectorClock()

    public subscript(replica: ReplicaID) -> UInt64 {
        counters[replica] ?? 0
    }

    /// True when this clock has seen the event `dot`.
    public func contains(_ dot: Dot) -> Bool {
        self[dot.replica] >= dot.counter
    }

    /// Records one more event by `replica` and returns its dot.
    @discardableResult
    public mutating func increment(_ replica: ReplicaID) -> Dot {
        let next = self[replica] + 1
        counters[replica] = next
        return Dot(replica: replica, counter: next)
    }

    /// Pointwise maximum: everything either side has seen.
    public func merged(with other: VectorClock) -> VectorClock {
        var result = self
        result.merge(other)
        return result
    }

    public mutating func merge(_ other: VectorClock) {
        counters.merge(other.counters, uniquingKeysWith: max)
    }

    /// Adds `dot` to what this clock has seen.
    public mutating func include(_ dot: Dot) {
        if self[dot.replica] < dot.counter { counters[dot.replica] = dot.counter }
    }

    public func compare(to other: VectorClock) -> ClockOrder {
        var someGreater = false
        var someLess = false
        for replica in Set(counters.keys).union(other.counters.keys) {
            let mine = self[replica], theirs = other[replica]
            if mine > theirs { someGreater = true }
            if mine < theirs { someLess = true }
            if someGreater && someLess { return .concurrent }
        }
        switch (someGreater, someLess) {
        case (false, false): return .equal
        case (true, false): return .after
        case (false, true): return .before
        case (true, true): return .concurrent
        }
    }

    /// True when this clock has seen everything `other` has: equal or after.
    public func dominates(_ other: VectorClock) -> Bool {
        other.counters.allSatisfy { self[$0.key] >= $0.value }
    }
}

/// The causal relation between two clocks.
public enum ClockOrder: String, Sendable, Codable, CaseIterable {
    case equal, before, after, concurrent
}
