import Foundation

/// How each property of a record kind is cut into independently merged fields, and checked.
///
/// A `register` is one field: concurrent edits of it conflict. A `keyed` collection makes each
/// element its own field (`members/<id>`), so edits of different members merge; removing an
/// element writes `null`. An `appendOnly` collection is keyed too, but its elements never
/// change once written, so concurrent appends simply union.
public struct RecordSchema: Sendable {
    public enum Granularity: Sendable, Equatable {
        case register
        case keyed(sortedBy: String?)
        case appendOnly(sortedBy: String?)

        public var isCollection: Bool { self != .register }
    }

    public struct Property: Sendable {
        public let name: String
        public let granularity: Granularity
        public let required: Bool
        /// The collection's largest allowed element count.
        public let maximumCount: Int?
        /// Its elements are ``PhotoReference``s: the blobs a record names (``PhotoDigests``).
        public var holdsPhotos = false
        /// Decodes one field value as the property's (or element's) type and checks it.
        let check: @Sendable (FieldValue, String) throws -> Void
    }

    public let kind: RecordKind
    public let properties: [String: Property]
    /// Properties that take part in rules spanning fields (a patrol's start and end). Only an
    /// edit of one of these needs the whole typed record checked again.
    public let crossFieldProperties: Set<String>
    /// The kind's state machine, for kinds that carry a case through steps (``Workflow``).
    public let workflow: Workflow?
    /// The wire protocol version that introduced the kind: a handset speaking an older one is
    /// never sent records of it, and may not push them.
    public let sinceProtocolVersion: Int

    init(_ kind: RecordKind, _ properties: [Property], crossFieldRules: Set<String> = [], workflow: Workflow? = nil,
         sinceProtocolVersion: Int = 1) {
        self.kind = kind
        self.sinceProtocolVersion = sinceProtocolVersion
        self.properties = Dictionary(uniqueKeysWithValues: properties.map { ($0.name, $0) })
        self.crossFieldProperties = crossFieldRules
        self.workflow = workflow
    }

    /// Checks one field value: the path must name a property of this kind, and the value must
    /// decode as that property's type and pass its rules.
    public func validate(_ value: FieldValue, at path: FieldPath) throws {
        // Bounds first, before anything walks the value.
        try FieldValueBounds.check(value, at: path.rawValue)
        if path == .deleted {
            guard case .bool = value else {
                throw ValidationError(.wrongType, field: path.rawValue, "_deleted is true or false")
            }
            return
        }
        guard let property = properties[String(path.property)] else {
            throw ValidationError(.unknownField, field: path.rawValue, "\(kind.rawValue) has no field \(path.property)")
        }
        guard property.granularity.isCollection == (path.element != nil) else {
            throw ValidationError(
                .unknownField, field: path.rawValue,
                property.granularity.isCollection ? "\(property.name) is written per element, as \(property.name)/<id>"
                                                  : "\(property.name) has no elements")
        }
        try property.check(value, path.rawValue)
    }

    /// The properties a new record must set.
    public var requiredProperties: [String] {
        properties.values.filter(\.required).map(\.name).sorted()
    }
}

extension RecordSchema.Property {
    /// A single-field property of type `T`.
    static func register<T: Decodable & Validatable & SendableMetatype>(_ name: String, _ type: T.Type, required: Bool = true) -> RecordSchema.Property {
        RecordSchema.Property(name: name, granularity: .register, required: required, maximumCount: nil) { value, field in
            if value == .null {
                if required { throw ValidationError(.missing, field: field, "\(name) is required") }
                return
            }
            try FieldValueCoding.decodeExactly(T.self, from: value, field: field).validate(at: field)
        }
    }

    /// A collection whose elements of type `T` are fields of their own.
    static func collection<T: Decodable & Validatable & Identified & SendableMetatype>(
        _ name: String, _ type: T.Type, appendOnly: Bool, sortedBy: String? = nil, maximumCount: Int
    ) -> RecordSchema.Property {
        let granularity: RecordSchema.Granularity = appendOnly ? .appendOnly(sortedBy: sortedBy) : .keyed(sortedBy: sortedBy)
        return RecordSchema.Property(name: name, granularity: granularity, required: false, maximumCount: maximumCount,
                                     holdsPhotos: T.self == PhotoReference.self) { value, field in
            if value == .null {
                if appendOnly { throw ValidationError(.immutableElement, field: field, "\(name) elements cannot be removed") }
                return
            }
            let element = try FieldValueCoding.decodeExactly(T.self, from: value, field: field)
            let expected = field.split(separator: "/").last.map(String.init)
            guard element.id.rawValue == expected else {
                throw ValidationError(.malformedID, field: field, "element id must match the field path")
            }
            try element.validate(at: field)
        }
    }
}

/// A value that knows its own rules. Messages never quote the value itself.
public protocol Validatable {
    func validate(at field: String) throws
}

/// A collection element with a stable id, which becomes its field path.
public protocol Identified {
    var id: RecordID { get }
}

extension String: Validatable {
    /// Free text: at most 4,000 characters unless a property narrows it.
    public func validate(at field: String) throws {
        try TextRule.check(self, at: field, maximum: 4_000)
    }
}

extension Bool: Validatable { public func validate(at field: String) throws {} }
extension Date: Validatable { public func validate(at field: String) throws {} }
extension RecordID: Validatable { public func validate(at field: String) throws {} }
extension GridPath: Validatable { public func validate(at field: String) throws {} }

/// A record's `grid` field as written: plain text until checked, so that a bad path is
/// reported as `malformed_grid_path` with the rule it broke, not as a type error.
struct GridField: Decodable, Validatable {
    let text: String

    init(from decoder: any Decoder) throws {
        text = try decoder.singleValueContainer().decode(String.self)
    }

    func validate(at field: String) throws {
        if case .failure(let error) = GridPath.parse(text) {
            throw ValidationError(error.code, field: field, error.message)
        }
    }
}

extension Array: Validatable where Element: Validatable {
    public func validate(at field: String) throws {
        guard count <= 100 else { throw ValidationError(.tooMany, field: field, "at most 100 items") }
        for element in self { try element.validate(at: field) }
    }
}
