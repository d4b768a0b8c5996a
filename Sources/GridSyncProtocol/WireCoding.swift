import Foundation
import GridSyncCore

/// The one JSON configuration both ends use: sorted keys, RFC 3339 timestamps with milliseconds.
/// Sorted keys make a message's bytes a function of its content, which golden vectors rely on.
public enum WireCoding {
    public static func makeEncoder() -> JSONEncoder { FieldValueCoding.makeEncoder() }
    public static func makeDecoder() -> JSONDecoder { FieldValueCoding.makeDecoder() }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try makeEncoder().encode(value)
    }

    /// Parses once into field values and decodes from those (see `JSONParser` for why).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try FieldValueCoding.decodeJSON(type, from: data)
    }
}
