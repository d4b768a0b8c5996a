import Foundation

/// Decodes a typed value straight from a ``FieldValue``, without printing and re-parsing JSON.
///
/// Validation decodes every written field of every pushed change, so this sits on the
/// server's hottest path. It follows the wire's rules: numbers may be integers or fractions,
/// dates are RFC 3339 text.
struct FieldValueDecoder: Decoder {
    let value: FieldValue
    let codingPath: [any CodingKey]
    /// When set, every object member the decoded type asks for is noted, so that members it
    /// does not define can be found afterwards (``MemberLog``).
    let log: MemberLog?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ value: FieldValue, codingPath: [any CodingKey] = [], log: MemberLog? = nil) {
        self.value = value
        self.codingPath = codingPath
        self.log = log
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw mismatch([String: FieldValue].self) }
        return KeyedDecodingContainer(Keyed<Key>(object: object, codingPath: codingPath, log: log))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else { throw mismatch([FieldValue].self) }
        return Unkeyed(array: array, codingPath: codingPath, log: log)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(decoder: self) }

    func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(type)"))
    }

    /// Decodes `T`, treating `Date` by the wire's text form.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == Date.self {
            guard case .string(let text) = value else { throw mismatch(String.self) }
            if let date = (try? FieldValueCoding.timestampStyle.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text)) {
                return date as! T
            }
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "timestamps are RFC 3339, such as 2026-11-24T08:30:00.000Z"))
        }
        if T.self == FieldValue.self { return value as! T }
        return try T(from: self)
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let object: [String: FieldValue]
        let codingPath: [any CodingKey]
        let log: MemberLog?
        var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

        private func child(_ key: Key) -> FieldValueDecoder {
            log?.asked(codingPath + [key])
            return FieldValueDecoder(object[key.stringValue] ?? .null, codingPath: codingPath + [key], log: log)
        }

        func contains(_ key: Key) -> Bool {
            log?.asked(codingPath + [key])
            return object[key.stringValue] != nil
        }

        func decodeNil(forKey key: Key) throws -> Bool {
            log?.asked(codingPath + [key])
            return (object[key.stringValue] ?? .null) == .null
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            guard object[key.stringValue] != nil else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing \(key.stringValue)"))
            }
            return try child(key).decode(type)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try child(key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try child(key).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { FieldValueDecoder(.object(object), codingPath: codingPath, log: log) }
        func superDecoder(forKey key: Key) throws -> any Decoder { child(key) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let array: [FieldValue]
        let codingPath: [any CodingKey]
        let log: MemberLog?
        var currentIndex = 0
        var count: Int? { array.count }
        var isAtEnd: Bool { currentIndex >= array.count }

        init(array: [FieldValue], codingPath: [any CodingKey], log: MemberLog?) {
            self.array = array
            self.codingPath = codingPath
            self.log = log
        }

        mutating func next() throws -> FieldValueDecoder {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(FieldValue.self, .init(codingPath: codingPath, debugDescription: "no more elements"))
            }
            defer { currentIndex += 1 }
            return FieldValueDecoder(array[currentIndex], codingPath: codingPath + [IndexKey(intValue: currentIndex)], log: log)
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, array[currentIndex] == .null else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> any Decoder { try next() }
    }

    struct Single: SingleValueDecodingContainer {
        let decoder: FieldValueDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }

        func decodeNil() -> Bool { decoder.value == .null }

        func decode(_ type: Bool.Type) throws -> Bool {
            guard case .bool(let bool) = decoder.value else { throw decoder.mismatch(type) }
            return bool
        }

        func decode(_ type: String.Type) throws -> String {
            guard case .string(let text) = decoder.value else { throw decoder.mismatch(type) }
            return text
        }

        func decode(_ type: Double.Type) throws -> Double { try number(type) }
        func decode(_ type: Float.Type) throws -> Float { Float(try number(type)) }
        func decode(_ type: Int.Type) throws -> Int { try integer(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type) }

        private func number(_ type: Any.Type) throws -> Double {
            guard case .number(let number) = decoder.value else { throw decoder.mismatch(type) }
            return number
        }

        private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            let number = try number(type)
            guard let integer = T(exactly: number) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "not a whole number in range"))
            }
            return integer
        }
    }

    struct IndexKey: CodingKey {
        var stringValue: String { String(intValue ?? 0) }
        var intValue: Int?
        init(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { nil }
    }
}

/// The object members a decoded type asked for, by path, so that the members it does not define
/// can be told apart: a field value carries exactly its type's members, since an extra one would
/// make two equal values unequal to the merge, and could carry anything at any size.
/// A reference, because decoders are values copied into every nested container.
final class MemberLog {
    private var asked = Set<String>()

    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    func asked(_ codingPath: [any CodingKey]) { asked.insert(Self.path(codingPath)) }

    /// The path of the first member of `value` (in sorted order, outermost first) that the type
    /// never asked for.
    func firstUnknown(in value: FieldValue, at path: String = "") -> String? {
        switch value {
        case .object(let members):
            for key in members.keys.sorted() {
                let memberPath = path.isEmpty ? key : path + "." + key
                guard asked.contains(memberPath) else { return memberPath }
                if let unknown = firstUnknown(in: members[key]!, at: memberPath) { return unknown }
            }
            return nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let unknown = firstUnknown(in: item, at: path.isEmpty ? String(index) : path + "." + String(index)) { return unknown }
            }
            return nil
        default:
            return nil
        }
    }
}
