import Foundation
@testable import GridSyncCore
import Testing

/// Every kind's declarations, checked against each other, for every kind there is: a kind
/// added with a piece missing or misnamed fails here rather than leaving an index column empty
/// or a rule unchecked.
@Suite("Record kind registry")
struct RecordKindRegistryTests {
    /// One valid record of each kind. A new kind that is not added here fails the first test.
    static let samples: [RecordKind: any SyncedRecord] = [
        .household: Fixtures.household, .householdVisit: Fixtures.visit, .patrol: Fixtures.patrol, .visitLog: Fixtures.log,
        .workOrder: Fixtures.workOrder,
    ]

    @Test("every kind has a sample, a type of its own kind, and a schema of its own kind", arguments: RecordKind.allCases)
    func declaredOnce(kind: RecordKind) throws {
        let sample = try #require(Self.samples[kind], "add a sample of \(kind.rawValue) to RecordKindRegistryTests.samples")
        #expect(type(of: sample).kind == kind)
        #expect(kind.recordType.kind == kind && kind.schema.kind == kind)
        #expect(kind.schema.crossFieldProperties.isSubset(of: Set(kind.schema.properties.keys)))
    }

    @Test("every index property is a single-valued property of the kind, and a valid record fills it", arguments: RecordKind.allCases)
    func indexColumnsFilled(kind: RecordKind) throws {
        let sample = try #require(Self.samples[kind])
        for property in kind.localIndex.properties {
            let declared = try #require(kind.schema.properties[property], "\(kind.rawValue) indexes \(property), which it does not have")
            #expect(!declared.granularity.isCollection, "\(kind.rawValue).\(property) is a collection")
            #expect(declared.required, "\(kind.rawValue).\(property) may be absent, leaving its index column empty")
        }
        let values = kind.localIndex.values(of: try sample.fields())
        #expect((values.householdID != nil) == (kind.localIndex.householdID != nil))
        #expect((values.worker != nil) == (kind.localIndex.worker != nil))
        #expect((values.day != nil) == (kind.localIndex.day != nil))
        if let day = values.day { #expect(CalendarDay(day) != nil, "\(kind.rawValue)'s day column holds \(day)") }
    }

    @Test("a kind's typed rules run through the registry: a valid record passes, one missing a required property does not",
          arguments: RecordKind.allCases)
    func typedRules(kind: RecordKind) throws {
        let fields = try #require(Self.samples[kind]).fields()
        try kind.validateTyped(id: RecordID("check")!, fields: fields)
        for required in kind.schema.requiredProperties {
            let missing = fields.filter { $0.key.property != Substring(required) }
            #expect(throws: (any Error).self, "\(kind.rawValue) without \(required)") {
                try kind.validateTyped(id: RecordID("check")!, fields: missing)
            }
        }
    }
}
