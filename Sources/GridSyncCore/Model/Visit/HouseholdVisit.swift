import Foundation

/// One door-to-door visit (入户走访): enter the home, see the person, ask about difficulties,
/// resolve and feed back.
public struct HouseholdVisit: SyncedRecord {
    public var id: RecordID
    public var grid: GridPath
    public var householdID: RecordID
    /// The worker or sunk-down cadre who visited.
    public var visitor: String
    /// The handset's time of the visit: shown to people, never used to order edits.
    public var visitedAt: Date
    public var outcome: VisitOutcome
    /// Ids of the household members seen; names stay in the household record.
    public var peopleMet: [RecordID]
    /// Needs raised (诉求); each is its own field, so a follow-up that closes one need does not
    /// conflict with a supervisor annotating another.
    public var needs: [Need]
    /// The day to come back, as the worker's calendar date `YYYY-MM-DD`.
    public var followUpOn: CalendarDay?

    public init(
        id: RecordID, grid: GridPath, householdID: RecordID, visitor: String, visitedAt: Date,
        outcome: VisitOutcome, peopleMet: [RecordID] = [], needs: [Need] = [], followUpOn: CalendarDay? = nil
    ) {
        self.id = id
        self.grid = grid
        self.householdID = householdID
        self.visitor = visitor
        self.visitedAt = visitedAt
        self.outcome = outcome
        self.peopleMet = peopleMet
        self.needs = needs
        self.followUpOn = followUpOn
    }

    private enum CodingKeys: String, CodingKey {
        case id, grid, householdID, visitor, visitedAt, outcome, peopleMet, needs, followUpOn
    }

    /// `peopleMet` is optional on the wire (absent, or cleared with `null`, means nobody was
    /// met), though the typed value is a plain list.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(RecordID.self, forKey: .id),
            grid: try container.decode(GridPath.self, forKey: .grid),
            householdID: try container.decode(RecordID.self, forKey: .householdID),
            visitor: try container.decode(String.self, forKey: .visitor),
            visitedAt: try container.decode(Date.self, forKey: .visitedAt),
            outcome: try container.decode(VisitOutcome.self, forKey: .outcome),
            peopleMet: try container.decodeIfPresent([RecordID].self, forKey: .peopleMet) ?? [],
            needs: try container.decodeIfPresent([Need].self, forKey: .needs) ?? [],
            followUpOn: try container.decodeIfPresent(CalendarDay.self, forKey: .followUpOn))
    }

    public static let localIndex = LocalIndexFields(householdID: "householdID", worker: "visitor", day: "visitedAt")

    public static let schema = RecordSchema(.householdVisit, [
        .register("grid", GridField.self),
        .register("householdID", RecordID.self),
        .register("visitor", WorkerName.self),
        .register("visitedAt", Date.self),
        .register("outcome", VisitOutcome.self),
        .register("peopleMet", [RecordID].self, required: false),
        .collection("needs", Need.self, appendOnly: false, sortedBy: "raisedAt", maximumCount: 50),
        .register("followUpOn", CalendarDay.self, required: false),
    ], crossFieldRules: ["outcome", "peopleMet"])

    public func validate(at field: String = "householdVisit") throws {
        try WorkerName(visitor).validate(at: "visitor")
        try TextRule.checkCount(peopleMet.count, at: "peopleMet", maximum: 30)
        if outcome != .met && !peopleMet.isEmpty {
            throw ValidationError(.outOfRange, field: "peopleMet", "people met are recorded only when the outcome is met")
        }
        try TextRule.checkCount(needs.count, at: "needs", maximum: 50)
        for need in needs { try need.validate(at: "needs/\(need.id)") }
    }
}

/// How the knock on the door went.
public enum VisitOutcome: String, Codable, Sendable, CaseIterable, Validatable {
    case met, notAtHome, refused

    public func validate(at field: String) throws {}
}

/// A need or request raised on a visit, and how it was handled.
public struct Need: Codable, Sendable, Hashable, Validatable, Identified {
    public var id: RecordID
    public var category: NeedCategory
    public var text: String
    public var handling: NeedHandling
    public var raisedAt: Date

    public init(id: RecordID, category: NeedCategory, text: String, handling: NeedHandling, raisedAt: Date) {
        self.id = id
        self.category = category
        self.text = text
        self.handling = handling
        self.raisedAt = raisedAt
    }

    public func validate(at field: String) throws {
        try TextRule.check(text, at: field + ".text", maximum: 2_000, required: true)
    }
}

public enum NeedCategory: String, Codable, Sendable, CaseIterable {
    case livelihood, elderlyCare, healthcare, housing, safety, dispute, employment, policyQuestion, other
}

/// Resolved on the spot, or escalated up the chain (small matters stay in the grid).
public enum NeedHandling: String, Codable, Sendable, CaseIterable {
    case resolvedOnSpot, escalated, pending
}
