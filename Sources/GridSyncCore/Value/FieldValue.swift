/// A JSON value: what one field of a synced record holds.
///
/// The merge works on field values without knowing their Swift types, so the same rules serve
/// every kind of record; the typed models in `Model/` convert to and from these.
public enum FieldValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([FieldValue])
    case object([String: FieldValue])

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var objectValue: [String: FieldValue]? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var arrayValue: [FieldValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public subscript(key: String) -> FieldValue? {
        objectValue?[key]
    }
}

extension FieldValue: Codable {
    public init(from decoder: any Decoder) throws {
        if let direct = decoder as? FieldValueDecoder {
            self = direct.value
            return
        }
        // Decoder offers no way to peek at a value's type, and each failed attempt throws,
        // so the attempts go in order of how often each type appears in records.
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let object = try? container.decode([String: FieldValue].self) {
            self = .object(object)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let array = try? container.decode([FieldValue].self) {
            self = .array(array)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .number(let number):
            // Whole numbers print without a fraction so that counters and epochs read naturally.
            if number.rounded() == number, abs(number) < 9_007_199_254_740_992 {
                try container.encode(Int64(number))
            } else {
                try container.encode(number)
            }
        case .string(let text): try container.encode(text)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }
}
