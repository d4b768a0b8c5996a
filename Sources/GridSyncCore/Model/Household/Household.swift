/// The master record of one dwelling (户): where it is, what kind it is, who lives there.
///
/// This is personal data. It is never logged and never quoted in an error; views that do not
/// need a member's identity show ``Member/masked``.
public struct Household: SyncedRecord {
    public var id: RecordID
    public var grid: GridPath
    public var address: Address
    public var type: HouseholdType
    /// Edited per member, so a grid worker and a sunk-down cadre updating different members
    /// of one household never conflict.
    public var members: [Member]
    public var notes: String?

    public init(id: RecordID, grid: GridPath, address: Address, type: HouseholdType, members: [Member] = [], notes: String? = nil) {
        self.id = id
        self.grid = grid
        self.address = address
        self.type = type
        self.members = members
        self.notes = notes
    }

    /// A household is the thing visits point at; it names no worker and no day.
    public static let localIndex = LocalIndexFields()

    public static let schema = RecordSchema(.household, [
        .register("grid", GridField.self),
        .register("address", Address.self),
        .register("type", HouseholdType.self),
        .collection("members", Member.self, appendOnly: false, maximumCount: 30),
        .register("notes", String.self, required: false),
    ])

    public func validate(at field: String = "household") throws {
        try address.validate(at: "address")
        try TextRule.checkCount(members.count, at: "members", maximum: 30)
        for member in members { try member.validate(at: "members/\(member.id)") }
        try notes?.validate(at: "notes")
    }
}

/// Building, unit and room: one fact, so it is merged as one field.
public struct Address: Codable, Sendable, Hashable, Validatable {
    public var building: String
    public var unit: String
    public var room: String

    public init(building: String, unit: String, room: String) {
        self.building = building
        self.unit = unit
        self.room = room
    }

    public func validate(at field: String) throws {
        try TextRule.check(building, at: field + ".building", maximum: 64, required: true)
        try TextRule.check(unit, at: field + ".unit", maximum: 32)
        try TextRule.check(room, at: field + ".room", maximum: 32, required: true)
    }
}

/// How a dwelling is occupied.
public enum HouseholdType: String, Codable, Sendable, CaseIterable, Validatable {
    case resident
    case rented
    /// Registered at this address but not living here (空挂户).
    case registeredAbsent

    public func validate(at field: String) throws {}
}
