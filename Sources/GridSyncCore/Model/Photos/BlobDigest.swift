/// A blob's name: the SHA-256 of its bytes as 64 lower-case hex digits. Naming bytes by their
/// hash makes an upload idempotent and storage deduplicated: the same photo taken into two
/// records, or uploaded twice after a lost answer, is one blob.
public struct BlobDigest: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let hex: String

    /// `nil` unless `text` is exactly 64 lower-case hex digits; upper case is refused rather
    /// than folded, so that one blob has exactly one name.
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count == 64, text.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        hex = String(text)
    }

    /// The digest of 32 raw hash bytes.
    public init(bytes: some Sequence<UInt8>) {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        hex = String(decoding: text, as: UTF8.self)
    }

    public var description: String { hex }
    public static func < (lhs: BlobDigest, rhs: BlobDigest) -> Bool { lhs.hex < rhs.hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = BlobDigest(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a SHA-256 is 64 lower-case hex digits"))
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
