/// Bounds every field value must keep, decided when a change arrives, so that no value the server
/// accepts can make a later response fail or grow a record past what a pull page can carry.
/// `Protocol/README.md`, "Limits".
public enum FieldValueBounds {
    /// Arrays and objects nested in one field value. The deepest value a record kind defines
    /// nests three levels (a track point's position); a parser or encoder with a depth limit of
    /// its own must never be the one to refuse a stored value.
    public static let maximumDepth = 16
    /// Bytes of one field value's canonical JSON. The longest legal value (a 4,000-character
    /// note, or 100 member ids) is far below it.
    public static let maximumBytes = 65_536
    /// Bytes of one record's stored state (canonical JSON): the largest legal record, a patrol
    /// with 20,000 track points, 200 findings and 500 photos, with room for siblings.
    public static let maximumRecordBytes = 8 << 20

    /// Throws `value_too_large` at `field` when `value` nests too deeply or is too large. Depth
    /// first: it is cheap, and it keeps the size count from walking a value of any depth.
    public static func check(_ value: FieldValue, at field: String) throws {
        guard value.depth <= maximumDepth else {
            throw ValidationError(.valueTooLarge, field: field, "a field value nests at most \(maximumDepth) levels")
        }
        guard value.encodedSize <= maximumBytes else {
            throw ValidationError(.valueTooLarge, field: field, "a field value is at most \(maximumBytes) bytes of JSON")
        }
    }
}

extension FieldValue {
    /// How deeply arrays and objects nest: a scalar is 0, `[]` is 1, `[[1]]` is 2.
    public var depth: Int {
        switch self {
        case .array(let items): 1 + (items.lazy.map(\.depth).max() ?? 0)
        case .object(let members): 1 + (members.values.lazy.map(\.depth).max() ?? 0)
        default: 0
        }
    }

    /// The length of this value's canonical JSON, in bytes.
    public var encodedSize: Int {
        var out: [UInt8] = []
        CompactJSON.write(self, &out)
        return out.count
    }
}
