import Foundation

/// Converts between typed values and ``FieldValue`` through JSON, with the project's date form.
///
/// Dates travel as RFC 3339 text with milliseconds. They are data a person reads, never an
/// input to the merge.
public enum FieldValueCoding {
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(timestampStyle))
        }
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = try? timestampStyle.parse(text) { return date }
            if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "timestamps are RFC 3339, such as 2026-11-24T08:30:00.000Z")
        }
        return decoder
    }

    static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The JSON value of `value`.
    public static func encode<T: Encodable>(_ value: T) throws -> FieldValue {
        try FieldValueEncoder.encode(value)
    }

    /// Decodes `T` from a field value; a mismatch becomes a `wrong_type` error naming `field`.
    public static func decode<T: Decodable>(_ type: T.Type, from value: FieldValue, field: String) throws -> T {
        do {
            return try FieldValueDecoder(value).decode(T.self)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError(.wrongType, field: field, "not a valid \(String(describing: T.self)): \(DecodingFailure(error))")
        }
    }
}

/// Says where decoding failed without repeating the value that failed.
struct DecodingFailure: CustomStringConvertible {
    let description: String

    init(_ error: any Error) {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): description = "missing \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            description = "wrong type at \(DecodingFailure.path(context))"
        case .dataCorrupted(let context):
            description = "\(context.debugDescription) at \(DecodingFailure.path(context))"
        default: description = "malformed"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? "top level" : path
    }
}
