import Foundation

/// Encodes a typed value straight into a ``FieldValue``, the mirror of ``FieldValueDecoder``.
///
/// Every local edit cuts the record into fields twice (before and after); doing it through
/// JSON bytes was most of a handset write's time.
final class FieldValueEncoder: Encoder {
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private var storage: Box?
    /// Set when a type asks for a nested container, which this encoder does not build; the
    /// value is then encoded through JSON instead, so every `Encodable` still works.
    var needsJSON = false

    /// A mutable slot: containers write into it after handing themselves out.
    final class Box {
        var value: FieldValue
        init(_ value: FieldValue) { self.value = value }
    }

    static func encode<T: Encodable>(_ value: T) throws -> FieldValue {
        try box(value).value
    }

    static func box<T: Encodable>(_ value: T) throws -> Box {
        if let date = value as? Date { return Box(.string(FieldValueCoding.text(of: date))) }
        if let field = value as? FieldValue { return Box(field) }
        let encoder = FieldValueEncoder()
        try value.encode(to: encoder)
        if encoder.needsJSON {
            return Box(try JSONParser.parse(FieldValueCoding.makeEncoder().encode(value)))
        }
        return encoder.storage ?? Box(.object([:]))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box = storage ?? Box(.object([:]))
        storage = box
        return KeyedEncodingContainer(Keyed<Key>(box: box, encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box = storage ?? Box(.array([]))
        storage = box
        return Unkeyed(box: box, encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        let box = storage ?? Box(.null)
        storage = box
        return Single(box: box)
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: Box
        let encoder: FieldValueEncoder
        var codingPath: [any CodingKey] { [] }

        private func set(_ value: FieldValue, _ key: Key) {
            guard case .object(var object) = box.value else { return }
            object[key.stringValue] = value
            box.value = .object(object)
        }

        mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { set(.number(value), key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(.number(Double(value)), key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { set(try FieldValueEncoder.encode(value), key) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            encoder.needsJSON = true
            return KeyedEncodingContainer(Keyed<NestedKey>(box: Box(.object([:])), encoder: encoder))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            encoder.needsJSON = true
            return Unkeyed(box: Box(.array([])), encoder: encoder)
        }
        mutating func superEncoder() -> any Encoder { encoder.needsJSON = true; return FieldValueEncoder() }
        mutating func superEncoder(forKey key: Key) -> any Encoder { encoder.needsJSON = true; return FieldValueEncoder() }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let box: Box
        let encoder: FieldValueEncoder
        var codingPath: [any CodingKey] { [] }
        var count: Int {
            if case .array(let array) = box.value { return array.count }
            return 0
        }

        private func append(_ value: FieldValue) {
            guard case .array(var array) = box.value else { return }
            array.append(value)
            box.value = .array(array)
        }

        mutating func encodeNil() throws { append(.null) }
        mutating func encode(_ value: Bool) throws { append(.bool(value)) }
        mutating func encode(_ value: String) throws { append(.string(value)) }
        mutating func encode(_ value: Double) throws { append(.number(value)) }
        mutating func encode(_ value: Int) throws { append(.number(Double(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws { append(try FieldValueEncoder.encode(value)) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            encoder.needsJSON = true
            return KeyedEncodingContainer(Keyed<NestedKey>(box: Box(.object([:])), encoder: encoder))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            encoder.needsJSON = true
            return Unkeyed(box: Box(.array([])), encoder: encoder)
        }
        mutating func superEncoder() -> any Encoder { encoder.needsJSON = true; return FieldValueEncoder() }
    }

    struct Single: SingleValueEncodingContainer {
        let box: Box
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws { box.value = .null }
        mutating func encode(_ value: Bool) throws { box.value = .bool(value) }
        mutating func encode(_ value: String) throws { box.value = .string(value) }
        mutating func encode(_ value: Double) throws { box.value = .number(value) }
        mutating func encode(_ value: Float) throws { box.value = .number(Double(value)) }
        mutating func encode(_ value: Int) throws { box.value = .number(Double(value)) }
        mutating func encode(_ value: Int64) throws { box.value = .number(Double(value)) }
        mutating func encode(_ value: UInt64) throws { box.value = .number(Double(value)) }
        mutating func encode<T: Encodable>(_ value: T) throws { box.value = try FieldValueEncoder.encode(value) }
    }
}
