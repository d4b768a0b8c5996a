/// The name of one independently merged field of a record.
///
/// A plain property is a single name (`phone`, `summary`). An element of a keyed collection is
/// `collection/elementID` (`members/m-01`, `trackPoints/0f3c…`), so two workers adding different
/// members or track points never touch the same field. `_deleted` is reserved for deletion.
public struct FieldPath: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// The register that marks a record deleted (`true`) or deliberately kept (`false`).
    public static let deleted = FieldPath(unchecked: "_deleted")

    /// `name` or `name/element`, where a name is a letter then letters or digits (1-40), and an
    /// element id is 1-64 of `[A-Za-z0-9._-]`.
    public init?(_ rawValue: String) {
        if rawValue == FieldPath.deleted.rawValue { self = .deleted; return }
        let parts = rawValue.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), FieldPath.isName(parts[0]),
              parts.count == 1 || RecordID(String(parts[1])) != nil else { return nil }
        self.rawValue = rawValue
    }

    private init(unchecked: String) { rawValue = unchecked }

    /// The path of element `element` in collection `collection`.
    public init(_ collection: String, element: String) {
        self.init(unchecked: collection + "/" + element)
    }

    /// The property this path belongs to: `members` for `members/m-01`.
    public var property: Substring {
        rawValue.split(separator: "/", maxSplits: 1).first ?? Substring(rawValue)
    }

    /// The element id for a collection path, `nil` for a plain property.
    public var element: Substring? {
        guard let slash = rawValue.firstIndex(of: "/") else { return nil }
        return rawValue[rawValue.index(after: slash)...]
    }

    public var description: String { rawValue }

    public static func < (lhs: FieldPath, rhs: FieldPath) -> Bool { lhs.rawValue < rhs.rawValue }

    private static func isName(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, (1...40).contains(text.utf8.count) else { return false }
        let isLetter = { (byte: UInt8) in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
        return isLetter(first)
            && text.utf8.allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

extension FieldPath: Codable, CodingKeyRepresentable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let path = FieldPath(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a field path")
        }
        self = path
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var codingKey: any CodingKey { PathKey(stringValue: rawValue) }

    public init?<T: CodingKey>(codingKey: T) {
        self.init(codingKey.stringValue)
    }

    private struct PathKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
