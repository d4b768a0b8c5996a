/// One event: the `counter`-th write a replica made to one record.
///
/// Dots, not whole clocks, are what a field value remembers about its origin. That is what lets
/// two concurrent edits to different fields of a household merge without either being lost: each
/// value knows exactly which write produced it (the "dotted" in dotted version vectors).
public struct Dot: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let replica: ReplicaID
    public let counter: UInt64

    public init(replica: ReplicaID, counter: UInt64) {
        self.replica = replica
        self.counter = counter
    }

    /// Parses the wire form `replica:counter`, for example `dev-0042:7`. Counters start at 1.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"),
              let replica = ReplicaID(String(text[..<colon])),
              let counter = UInt64(text[text.index(after: colon)...]), counter > 0 else { return nil }
        self.init(replica: replica, counter: counter)
    }

    public var description: String { "\(replica.rawValue):\(counter)" }

    /// A total order used only to make encodings stable; it says nothing about causality.
    public static func < (lhs: Dot, rhs: Dot) -> Bool {
        (lhs.replica, lhs.counter) < (rhs.replica, rhs.counter)
    }
}

extension Dot: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let dot = Dot(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a dot is written replica:counter with counter >= 1")
        }
        self = dot
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
