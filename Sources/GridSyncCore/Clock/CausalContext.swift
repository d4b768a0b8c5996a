/// The exact set of dots a record state has seen, kept compact.
///
/// A plain vector clock can only say "everything up to n". Changes can reach a replica out of
/// order (a retry overtakes, a re-installed terminal imports an old outbox), and treating an
/// unseen dot as seen would drop an edit. So dots that arrive ahead of a gap wait in `cloud`
/// and fold into `compact` once the gap fills, as in delta-state CRDT causal contexts.
public struct CausalContext: Hashable, Sendable {
    /// Every dot up to each counter has been seen.
    public private(set) var compact: VectorClock
    /// Seen dots above a gap in `compact`.
    public private(set) var cloud: Set<Dot>

    public init(compact: VectorClock = .empty, cloud: Set<Dot> = []) {
        self.compact = compact
        self.cloud = []
        for dot in cloud { insert(dot) }
    }

    public init<S: Sequence>(dots: S) where S.Element == Dot {
        self.init()
        for dot in dots { insert(dot) }
    }

    public static let empty = CausalContext()

    public func contains(_ dot: Dot) -> Bool {
        compact.contains(dot) || cloud.contains(dot)
    }

    public mutating func insert(_ dot: Dot) {
        guard !contains(dot) else { return }
        if dot.counter == compact[dot.replica] + 1 {
            compact.include(dot)
            absorbCloud(for: dot.replica)
        } else {
            cloud.insert(dot)
        }
    }

    public mutating func formUnion(_ other: CausalContext) {
        compact.merge(other.compact)
        let pending = cloud.union(other.cloud)
        cloud = []
        for dot in pending.sorted() where !compact.contains(dot) {
            insert(dot)
        }
    }

    public func union(_ other: CausalContext) -> CausalContext {
        var result = self
        result.formUnion(other)
        return result
    }

    /// The highest counter seen per replica, gaps ignored: the clock a writer extends.
    public var clock: VectorClock {
        var clock = compact
        for dot in cloud { clock.include(dot) }
        return clock
    }

    private mutating func absorbCloud(for replica: ReplicaID) {
        while true {
            let next = Dot(replica: replica, counter: compact[replica] + 1)
            guard cloud.remove(next) != nil else { return }
            compact.include(next)
        }
    }
}

/// Wire form: `{"compact":{...},"cloud":["dev-1:5"]}`, with `cloud` omitted when empty.
extension CausalContext: Codable {
    private enum CodingKeys: String, CodingKey { case compact, cloud }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            compact: try container.decodeIfPresent(VectorClock.self, forKey: .compact) ?? .empty,
            cloud: Set(try container.decodeIfPresent([Dot].self, forKey: .cloud) ?? []))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(compact, forKey: .compact)
        if !cloud.isEmpty { try container.encode(cloud.sorted(), forKey: .cloud) }
    }
}
