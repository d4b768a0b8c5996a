/// One of the four kinds of record a terminal syncs, as a typed Swift value.
///
/// The merge never sees these types: it works on the field map from ``fields()``. The typed
/// value is what an app reads and edits, and ``validate(at:)`` holds the rules that span fields.
public protocol SyncedRecord: Codable, Sendable, Hashable, Validatable {
    static var schema: RecordSchema { get }
    /// The properties a handset's local index keeps for this kind (see ``LocalIndexFields``).
    static var localIndex: LocalIndexFields { get }
    var id: RecordID { get }
    /// The grid the record belongs to; scope checks use it.
    var grid: GridPath { get }
}

extension SyncedRecord {
    public static var kind: RecordKind { schema.kind }

    public var key: RecordKey { RecordKey(kind: Self.kind, id: id) }

    /// The record cut into merge fields, as ``RecordSchema`` describes.
    public func fields() throws -> [FieldPath: FieldValue] {
        guard var object = try FieldValueCoding.encode(self).objectValue else { return [:] }
        object.removeValue(forKey: "id")
        var fields: [FieldPath: FieldValue] = [:]
        for (name, value) in object {
            guard let property = Self.schema.properties[name] else { continue }
            if property.granularity.isCollection {
                guard case .array(let elements) = value else { continue }
                for element in elements {
                    if let elementID = element["id"]?.stringValue {
                        fields[FieldPath(name, element: elementID)] = element
                    }
                }
            } else if value != .null, let path = FieldPath(name) {
                fields[path] = value
            }
        }
        return fields
    }

    /// Rebuilds the typed record from merge fields; collections come back in their sort order.
    public init(id: RecordID, fields: [FieldPath: FieldValue]) throws {
        var object: [String: FieldValue] = ["id": .string(id.rawValue)]
        var collections: [String: [FieldValue]] = [:]
        for property in Self.schema.properties.values where property.granularity.isCollection {
            collections[property.name] = []
        }
        for (path, value) in fields where path != .deleted && value != .null {
            if path.element != nil {
                collections[String(path.property), default: []].append(value)
            } else {
                object[path.rawValue] = value
            }
        }
        for (name, elements) in collections {
            let sortKey: String?
            switch Self.schema.properties[name]?.granularity {
            case .keyed(let key), .appendOnly(let key): sortKey = key
            default: sortKey = nil
            }
            object[name] = .array(elements.sorted { FieldValue.precedes($0, $1, sortKey: sortKey) })
        }
        self = try FieldValueCoding.decode(Self.self, from: .object(object), field: Self.kind.rawValue)
    }

    /// The fields that differ from `old`, with `null` for what was removed: what an edit writes.
    public func changedFields(from old: Self?) throws -> [FieldPath: FieldValue] {
        Self.changes(from: try old?.fields() ?? [:], to: try fields())
    }

    /// What turns the fields `before` into `after`, with `null` for what was removed; for a
    /// caller that already holds both, so neither record is encoded again.
    public static func changes(from before: [FieldPath: FieldValue], to after: [FieldPath: FieldValue]) -> [FieldPath: FieldValue] {
        var changed = after.filter { before[$0.key] != $0.value }
        for path in before.keys where after[path] == nil {
            changed[path] = .null
        }
        return changed
    }
}

extension FieldValue {
    /// Display order for collection elements: by the sort property, then by id, so every
    /// replica lists the same elements the same way.
    static func precedes(_ lhs: FieldValue, _ rhs: FieldValue, sortKey: String?) -> Bool {
        if let sortKey, let left = lhs[sortKey], let right = rhs[sortKey], left != right {
            switch (left, right) {
            case (.number(let a), .number(let b)): return a < b
            case (.string(let a), .string(let b)): return a < b
            default: break
            }
        }
        return (lhs["id"]?.stringValue ?? "") < (rhs["id"]?.stringValue ?? "")
    }
}
