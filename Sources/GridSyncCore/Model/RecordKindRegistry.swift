/// The one place a record kind meets its type. Everything else about a kind (its schema, its
/// rules across fields, the columns a handset indexes it by) is declared by the type itself,
/// in its own file, as ``SyncedRecord`` requires; code elsewhere asks the kind, never switches
/// over it. Adding a kind adds a case to ``RecordKind``, which fails to compile here until the
/// kind's type is named, and a type that leaves out a requirement fails to compile in its own
/// file. `RecordKindRegistryTests` checks every kind's declarations against each other.
extension RecordKind {
    /// The Swift type that holds records of this kind.
    public var recordType: any SyncedRecord.Type {
        switch self {
        case .household: Household.self
        case .householdVisit: HouseholdVisit.self
        case .patrol: Patrol.self
        case .visitLog: VisitLog.self
        case .workOrder: WorkOrder.self
        }
    }

    /// The field rules for this kind.
    public var schema: RecordSchema { recordType.schema }

    /// The properties a handset indexes records of this kind by.
    public var localIndex: LocalIndexFields { recordType.localIndex }

    /// Builds the typed record from merged fields and runs its own rules: required properties,
    /// value rules, and the rules that span fields (a patrol's end after its start).
    public func validateTyped(id: RecordID, fields: [FieldPath: FieldValue]) throws {
        try Self.validate(recordType, id: id, fields: fields)
    }

    private static func validate<Record: SyncedRecord>(_ type: Record.Type, id: RecordID, fields: [FieldPath: FieldValue]) throws {
        try Record(id: id, fields: fields).validate(at: Record.kind.rawValue)
    }
}

/// Which of a kind's properties a handset's local index keeps, so that "the visits to this
/// household", "this worker's records" and "today's records" are one indexed query for every
/// kind. `nil`: the kind has no such property (a household names no worker).
public struct LocalIndexFields: Sendable, Hashable {
    /// A property holding the id of the household the record is about.
    public var householdID: String?
    /// A property holding the worker who made the record.
    public var worker: String?
    /// A property holding the record's day: a calendar day, or a time whose first ten
    /// characters (`YYYY-MM-DD`, as the handset saw it) are the day.
    public var day: String?

    public init(householdID: String? = nil, worker: String? = nil, day: String? = nil) {
        self.householdID = householdID
        self.worker = worker
        self.day = day
    }

    /// Every property named, for checks.
    public var properties: [String] { [householdID, worker, day].compactMap { $0 } }

    /// The index values of a record with these agreed fields.
    public func values(of fields: [FieldPath: FieldValue]) -> (householdID: String?, worker: String?, day: String?) {
        func text(_ property: String?) -> String? { property.flatMap { FieldPath($0) }.flatMap { fields[$0]?.stringValue } }
        return (text(householdID), text(worker), text(day).map { String($0.prefix(10)) })
    }
}
