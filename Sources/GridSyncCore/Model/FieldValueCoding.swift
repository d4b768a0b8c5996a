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
            try container.encode(text(of: date))
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

    /// A date's wire text, at the nearest millisecond. The formatter cuts off what lies beyond
    /// the millisecond, and a time read back from `…58.382Z` is a hair under .382 as a binary
    /// fraction: cut off, it would print `.381`, and a server time would drift a millisecond
    /// earlier each time it is read and written again. So the whole seconds are formatted and
    /// the milliseconds, counted as an integer, are written out by hand.
    public static func text(of date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1_000).rounded())
        let seconds = milliseconds >= 0 ? milliseconds / 1_000 : (milliseconds - 999) / 1_000
        let fraction = Int(milliseconds - seconds * 1_000)
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(wholeSecondStyle)
        let digits = String(fraction)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    private static let wholeSecondStyle = Date.ISO8601FormatStyle()

    /// `date` at its nearest whole millisecond, the precision times travel at: exactly the
    /// instant its wire text reads back as. A server that keeps its own times so prints exactly
    /// what it stored, and a client that sends one back (an audit `since`) names that instant to
    /// the last bit, so `at >= since` keeps it. (Dividing by 1,000 can land a bit away from what
    /// the parser builds from the same text, hence the round trip.)
    public static func wholeMilliseconds(_ date: Date) -> Date {
        (try? timestampStyle.parse(text(of: date))) ?? Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1_000).rounded() / 1_000)
    }

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

extension FieldValueCoding {
    /// Decodes `T` from a pushed field value, which must carry exactly `T`'s members: one the
    /// type does not define is `unknown_field` at its path, such as `address.x`.
    static func decodeExactly<T: Decodable>(_ type: T.Type, from value: FieldValue, field: String) throws -> T {
        let log = MemberLog()
        let decoded: T
        do {
            decoded = try FieldValueDecoder(value, log: log).decode(T.self)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError(.wrongType, field: field, "not a valid \(String(describing: T.self)): \(DecodingFailure(error))")
        }
        if let unknown = log.firstUnknown(in: value) {
            // The path names the member when it looks like a member name; any other text (it
            // could be a name or a phone a broken client put there) stops at its object.
            let parts = unknown.split(separator: ".", omittingEmptySubsequences: false)
            let shown = parts.last.map { FieldValueCoding.isMemberName($0) } == true ? unknown : parts.dropLast().joined(separator: ".")
            throw ValidationError(.unknownField, field: shown.isEmpty ? field : field + "." + shown,
                                  "\(String(describing: T.self)) has a member it does not define: send only the members the spec defines")
        }
        return decoded
    }
}

extension FieldValueCoding {
    /// An ASCII letter, then up to 39 letters or digits: what every defined member looks like.
    static func isMemberName(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 40, first.isASCII, first.properties.isAlphabetic else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}

/// Says where decoding failed without repeating the value that failed.
public struct DecodingFailure: CustomStringConvertible {
    public let description: String

    public init(_ error: any Error) {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): description = "missing \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            description = "wrong type at \(DecodingFailure.path(context))"
        case .dataCorrupted(let context):
            description = "\(DecodingFailure.reason(context)) at \(DecodingFailure.path(context))"
        default: description = "malformed"
        }
    }

    /// The reason a value was refused, without the value: the standard library's message for an
    /// enum ("Cannot initialize Relation from invalid String value <the value>") quotes it, and
    /// the value may be a person's name. GridSync's own messages never quote values.
    public static func reason(_ context: DecodingError.Context) -> String {
        let text = context.debugDescription
        guard text.hasPrefix("Cannot initialize ") else { return text }
        let type = text.dropFirst("Cannot initialize ".count).prefix { $0 != " " }
        return "not one of the allowed values of \(type)"
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? "top level" : path
    }
}
