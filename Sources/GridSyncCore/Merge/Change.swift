/// One edit made on one replica to one record: the unit a terminal queues, pushes and retries.
///
/// A change is a delta of the record's state. Every field it writes carries a dot of its own, and
/// `supersedes` lists exactly the dots of the values the writer saw and replaced. Because the
/// delta names what it replaces instead of relying on arrival order, changes can be applied in
/// any order, any number of times, and every replica ends in the same state.
///
/// Wire form: `Protocol/README.md`, section "Changes".
public struct Change: Hashable, Sendable {
    /// Client-minted; the server answers a re-sent id with its first result.
    public let id: ChangeID
    public let record: RecordKey
    /// The writer's knowledge of the record including this change: used to tell a fast-forward
    /// from a concurrent edit, never to pick a winner.
    public let clock: VectorClock
    /// The dots whose values this change replaces. A delete supersedes every dot it saw.
    public let supersedes: [Dot]
    /// The fields written, each with its own dot.
    public let writes: [FieldPath: FieldWrite]

    public init(id: ChangeID, record: RecordKey, clock: VectorClock, supersedes: [Dot], writes: [FieldPath: FieldWrite]) {
        self.id = id
        self.record = record
        self.clock = clock
        self.supersedes = supersedes
        self.writes = writes
    }

    /// The most replicas a change's clock may name. An honest clock names the replicas that
    /// wrote the record, and a record has few writers; a bloated clock would grow the record's
    /// clock until no honest edit fits in a request.
    public static let maximumClockEntries = 256
    /// The most dots a change may supersede: a delete of the largest patrol (20,000 track points,
    /// 200 findings, 500 photos and its registers) with room to spare.
    public static let maximumSupersedes = 25_000

    /// True when this change deletes the record.
    public var isDelete: Bool {
        writes[.deleted]?.value == .bool(true)
    }

    /// The same change, superseding `dots` as well.
    public func alsoSuperseding(_ dots: [Dot]) -> Change {
        guard !dots.isEmpty else { return self }
        return Change(id: id, record: record, clock: clock, supersedes: Array(Set(supersedes + dots)).sorted(), writes: writes)
    }

    /// The dots this change introduces.
    public var dots: [Dot] { writes.values.map(\.dot) }
}

/// One field's new value and the dot that identifies this write of it.
public struct FieldWrite: Hashable, Sendable, Codable {
    public let dot: Dot
    public let value: FieldValue

    public init(dot: Dot, value: FieldValue) {
        self.dot = dot
        self.value = value
    }
}

/// Identifies a change for idempotency. Terminals mint UUIDs; 1 to 64 of `[A-Za-z0-9._-]`.
public struct ChangeID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard RecordID(rawValue) != nil else { return nil }
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let id = ChangeID(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "change ids are 1-64 of [A-Za-z0-9._-]")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: ChangeID, rhs: ChangeID) -> Bool { lhs.rawValue < rhs.rawValue }
}
