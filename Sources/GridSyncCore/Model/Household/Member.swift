/// A person in a household. Every field but `id` and `relation` is personal data.
public struct Member: Codable, Sendable, Hashable, Validatable, Identified {
    public var id: RecordID
    public var name: String
    public var relation: Relation
    public var idNumber: String?
    public var phone: String?
    public var tags: [CareTag]

    public init(id: RecordID, name: String, relation: Relation, idNumber: String? = nil, phone: String? = nil, tags: [CareTag] = []) {
        self.id = id
        self.name = name
        self.relation = relation
        self.idNumber = idNumber
        self.phone = phone
        self.tags = tags
    }

    public func validate(at field: String) throws {
        try TextRule.check(name, at: field + ".name", maximum: 64, required: true)
        if let idNumber { try IdentityRules.checkIDNumber(idNumber, at: field + ".idNumber") }
        if let phone { try IdentityRules.checkPhone(phone, at: field + ".phone") }
        try TextRule.checkCount(tags.count, at: field + ".tags", maximum: CareTag.allCases.count)
    }

    /// The member as a list view shows it without need to know: surname kept, rest masked.
    public var masked: String { PersonalDataMask.name(name) }
}

/// A member's relation to the head of household.
public enum Relation: String, Codable, Sendable, CaseIterable {
    case head, spouse, child, parent, grandparent, grandchild, sibling, tenant, other
}

/// Why a member needs particular care on visits.
public enum CareTag: String, Codable, Sendable, CaseIterable, Validatable {
    case elderlyLivingAlone, disabled, lowIncome, keyCare

    public func validate(at field: String) throws {}
}
