import Foundation

/// Something a patrol found: a hazard, a public-order issue, blocked fire exits.
public struct Finding: Codable, Sendable, Hashable, Validatable, Identified {
    public var id: RecordID
    public var category: FindingCategory
    public var severity: Severity
    public var location: Coordinate
    public var description: String
    /// 巡办合一: the worker fixed it on the spot, as happens with about nine in ten items.
    /// Otherwise (巡办分离) it is reported and dispatched to a department.
    public var handledOnSpot: Bool
    public var reportedAt: Date

    public init(
        id: RecordID, category: FindingCategory, severity: Severity, location: Coordinate,
        description: String, handledOnSpot: Bool, reportedAt: Date
    ) {
        self.id = id
        self.category = category
        self.severity = severity
        self.location = location
        self.description = description
        self.handledOnSpot = handledOnSpot
        self.reportedAt = reportedAt
    }

    public func validate(at field: String) throws {
        try location.validate(at: field + ".location")
        try TextRule.check(description, at: field + ".description", maximum: 2_000, required: true)
    }
}

public enum FindingCategory: String, Codable, Sendable, CaseIterable {
    case safetyHazard, publicOrder, sanitation, illegalConstruction, blockedFireExit, other
}

public enum Severity: String, Codable, Sendable, CaseIterable {
    case low, medium, high, critical
}
