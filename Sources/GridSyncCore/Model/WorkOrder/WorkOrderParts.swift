import Foundation

/// Red, yellow or green (红/黄/绿): how urgent a case is, which sets its deadlines.
public enum Urgency: String, Codable, Sendable, CaseIterable, Comparable, Validatable {
    case red, yellow, green

    public static func < (lhs: Urgency, rhs: Urgency) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    public func validate(at field: String) throws {}
}

/// The domain a case belongs to, for statistics: the patrol findings' categories and the
/// visit needs' categories together, so a case keeps the category of what it came from.
public enum WorkOrderCategory: String, Codable, Sendable, CaseIterable, Validatable {
    case safetyHazard, publicOrder, sanitation, illegalConstruction, blockedFireExit
    case livelihood, elderlyCare, healthcare, housing, safety, dispute, employment, policyQuestion
    case other

    public func validate(at field: String) throws {}
}

/// Where a case came from. A patrol finding or a visit need links to the record and element it
/// started as, so the command centre can open them.
public struct WorkOrderSource: Codable, Sendable, Hashable, Validatable {
    public enum Channel: String, Codable, Sendable, CaseIterable {
        /// A finding reported for dispatch (巡办分离), or handled on the spot (巡办合一).
        case patrolFinding
        /// A need (诉求) raised on a household visit.
        case visitNeed
        /// A citizen who walked in to the community or street office.
        case walkIn
        /// The 12345 citizen hotline.
        case hotline
    }

    public var channel: Channel
    /// The patrol or household visit, for `patrolFinding` and `visitNeed`.
    public var recordID: RecordID?
    /// The finding or need within it.
    public var elementID: RecordID?
    /// The hotline's ticket number, for `hotline`.
    public var ticket: String?

    public init(channel: Channel, recordID: RecordID? = nil, elementID: RecordID? = nil, ticket: String? = nil) {
        self.channel = channel
        self.recordID = recordID
        self.elementID = elementID
        self.ticket = ticket
    }

    public static func finding(_ id: RecordID, of patrol: RecordID) -> WorkOrderSource {
        WorkOrderSource(channel: .patrolFinding, recordID: patrol, elementID: id)
    }

    public static func need(_ id: RecordID, of visit: RecordID) -> WorkOrderSource {
        WorkOrderSource(channel: .visitNeed, recordID: visit, elementID: id)
    }

    public func validate(at field: String) throws {
        let linked = channel == .patrolFinding || channel == .visitNeed
        if linked && (recordID == nil || elementID == nil) {
            throw ValidationError(.missing, field: field + (recordID == nil ? ".recordID" : ".elementID"),
                                  "a \(channel.rawValue) links to its record and element")
        }
        if !linked && (recordID != nil || elementID != nil) {
            throw ValidationError(.outOfRange, field: field + ".recordID", "only patrol findings and visit needs link to a record")
        }
        try TextRule.check(ticket ?? "", at: field + ".ticket", maximum: 64)
    }
}

/// Who a case is with: "small matters stay in the grid, big ones in the community, hard ones in
/// the street", or a named department.
public struct Assignee: Codable, Sendable, Hashable, Validatable {
    public enum Level: String, Codable, Sendable, CaseIterable, Comparable {
        case grid, community, street

        public static func < (lhs: Level, rhs: Level) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public var level: Level
    /// The department (城管, 住建, 市场监管…), when a department handles it.
    public var department: String?

    public init(level: Level, department: String? = nil) {
        self.level = level
        self.department = department
    }

    public func validate(at field: String) throws {
        try TextRule.check(department ?? "", at: field + ".department", maximum: 64)
    }
}

/// What the citizen said when told of the outcome (反馈).
public struct CitizenFeedback: Codable, Sendable, Hashable, Validatable {
    public enum Satisfaction: String, Codable, Sendable, CaseIterable {
        case satisfied, basicallySatisfied, dissatisfied
    }

    public var satisfaction: Satisfaction
    public var comment: String?

    public init(satisfaction: Satisfaction, comment: String? = nil) {
        self.satisfaction = satisfaction
        self.comment = comment
    }

    public func validate(at field: String) throws {
        try TextRule.check(comment ?? "", at: field + ".comment", maximum: 2_000)
    }
}
