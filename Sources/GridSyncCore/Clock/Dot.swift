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

    /// The largest counter the protocol carries: 2^53 − 1, so that every JSON parser reads a
    /// counter exactly. A larger one would be rounded by some parsers and name another write.
    public static let maximumCounter: UInt64 = (1 << 53) - 1

    /// Parses the wire form `replica:counter`, for example `dev-0042:7`. Counters start at 1 and
    /// are written in plain decimal: no sign, no leading zero, at most ``maximumCounter``. One
    /// spelling per dot matters, because the merge compares dots as text on other replicas.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"),
              let replica = ReplicaID(String(text[..<colon])) else { return nil }
        let digits = text.utf8[text.utf8.index(after: colon)...]
        guard let first = digits.first, (49...57).contains(first), digits.count <= 16,
              digits.allSatisfy({ (48...57).contains($0) }),
              let counter = UInt64(String(decoding: digits, as: UTF8.self)), counter <= Dot.maximumCounter else { return nil }
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
                in: container, debugDescription: "a dot is written replica:counter, the counter a decimal 1...2^53-1 without sign or leading zeros")
        }
        self = dot
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
