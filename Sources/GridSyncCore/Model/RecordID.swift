/// Identifies one record, or one element of a record's collection, for its whole life.
///
/// Terminals mint ids themselves (UUIDs in practice) so that work created offline never waits
/// for the server to name it. 1 to 64 of `[A-Za-z0-9._-]`.
public struct RecordID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard (1...64).contains(rawValue.utf8.count), ReplicaID(rawValue) != nil else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: RecordID, rhs: RecordID) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension RecordID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let id = RecordID(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "ids are 1-64 of [A-Za-z0-9._-]")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The kinds of record a terminal syncs.
public enum RecordKind: String, Sendable, Codable, CaseIterable, Comparable {
    case household
    case householdVisit
    case patrol
    case visitLog
    case workOrder

    public static func < (lhs: RecordKind, rhs: RecordKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A record's identity across kinds.
public struct RecordKey: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let kind: RecordKind
    public let id: RecordID

    public init(kind: RecordKind, id: RecordID) {
        self.kind = kind
        self.id = id
    }

    public var description: String { "\(kind.rawValue)/\(id.rawValue)" }

    public static func < (lhs: RecordKey, rhs: RecordKey) -> Bool { (lhs.kind, lhs.id) < (rhs.kind, rhs.id) }
}
