import Foundation
import Testing
@testable import GridSyncCore

@Suite("Record model")
struct RecordModelTests {
    @Test("each kind round-trips through its merge fields")
    func roundTrip() throws {
        #expect(try Household(id: Fixtures.household.id, fields: Fixtures.household.fields()) == Fixtures.household)
        #expect(try HouseholdVisit(id: Fixtures.visit.id, fields: Fixtures.visit.fields()) == Fixtures.visit)
        #expect(try VisitLog(id: Fixtures.log.id, fields: Fixtures.log.fields()) == Fixtures.log)
        // Track points come back in time order, whatever order they were appended in.
        let patrol = try Patrol(id: Fixtures.patrol.id, fields: Fixtures.patrol.fields())
        #expect(patrol.trackPoints.map(\.id.rawValue) == ["p1", "p2"])
    }

    @Test("collections become one field per element")
    func fieldCutting() throws {
        let fields = try Fixtures.household.fields()
        #expect(Set(fields.keys.map(\.rawValue)) == ["grid", "address", "type", "members/m1", "members/m2"])
        let patrolFields = try Fixtures.patrol.fields()
        #expect(patrolFields.keys.contains(FieldPath("trackPoints/p1")!))
    }

    @Test("an edit writes only what changed, and null for what was removed")
    func changedFields() throws {
        var edited = Fixtures.household
        edited.members.removeAll { $0.id.rawValue == "m2" }
        edited.notes = "独居老人，每周探访"
        let changed = try edited.changedFields(from: Fixtures.household)
        #expect(changed == [FieldPath("members/m2")!: .null, FieldPath("notes")!: .string("独居老人，每周探访")])
    }

    @Test("every fixture passes validation, and every field passes its schema")
    func fixturesValid() throws {
        try Fixtures.household.validate()
        try Fixtures.patrol.validate()
        try Fixtures.visit.validate()
        try Fixtures.log.validate()
        for (path, value) in try Fixtures.patrol.fields() {
            try Patrol.schema.validate(value, at: path)
        }
    }

    @Test("a patrol cannot end before it starts")
    func endBeforeStart() {
        var patrol = Fixtures.patrol
        patrol.endedAt = patrol.startedAt.addingTimeInterval(-1)
        #expect(throws: ValidationError(.endBeforeStart, field: "endedAt", "a patrol cannot end before it starts")) {
            try patrol.validate()
        }
    }
}
