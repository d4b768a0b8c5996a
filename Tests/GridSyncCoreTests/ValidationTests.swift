import Foundation
import Testing
@testable import GridSyncCore

@Suite("Validation")
struct ValidationTests {
    func member(_ edit: (inout Member) -> Void) throws -> FieldValue {
        var member = Fixtures.household.members[0]
        edit(&member)
        return try FieldValueCoding.encode(member)
    }

    func error(_ value: FieldValue, at path: String, kind: RecordKind = .household) -> ValidationError? {
        do {
            try kind.schema.validate(value, at: FieldPath(path)!)
            return nil
        } catch {
            return error as? ValidationError
        }
    }

    @Test("malformed ID numbers and phones are refused without echoing them")
    func personalData() throws {
        let badChecksum = error(try member { $0.idNumber = "110105194912310021" }, at: "members/m1")
        #expect(badChecksum?.code == .malformedIDNumber)
        #expect(badChecksum?.field == "members/m1.idNumber")
        #expect(!(badChecksum?.message.contains("110105") ?? true))
        let badPhone = error(try member { $0.phone = "12345" }, at: "members/m1")
        #expect(badPhone?.code == .malformedPhone)
        #expect(!(badPhone?.message.contains("12345") ?? true))
    }

    @Test("coordinates out of range are refused")
    func coordinates() throws {
        let point = TrackPoint(id: RecordID("p9")!, position: Coordinate(latitude: 91, longitude: 114), recordedAt: Date())
        #expect(error(try FieldValueCoding.encode(point), at: "trackPoints/p9", kind: .patrol)?.code == .coordinateOutOfRange)
    }

    @Test("unknown fields, wrong types and oversized text are named precisely")
    func shapes() {
        #expect(error(.string("x"), at: "colour")?.code == .unknownField)
        #expect(error(.number(3), at: "type")?.code == .wrongType)
        #expect(error(.string("futian//x"), at: "grid")?.code == .malformedGridPath)
        #expect(error(.string(String(repeating: "字", count: 4_001)), at: "notes")?.code == .tooLong)
        #expect(error(.string("x"), at: "members")?.code == .unknownField, "members are written per element")
    }

    @Test("append-only elements cannot be removed, and an element's id must match its path")
    func elements() throws {
        #expect(error(.null, at: "entries/e1", kind: .visitLog)?.code == .immutableElement)
        let entry = try FieldValueCoding.encode(Fixtures.log.entries[0])
        #expect(error(entry, at: "entries/e2", kind: .visitLog)?.code == .malformedID)
        #expect(error(entry, at: "entries/e1", kind: .visitLog) == nil)
    }

    @Test("a change's dots must lie within its clock")
    func structure() {
        let replica = ReplicaID("dev-1")!
        let change = Change(
            id: ChangeID("c1")!, record: Fixtures.household.key, clock: VectorClock([replica: 1]),
            supersedes: [], writes: [FieldPath("notes")!: FieldWrite(dot: Dot(replica: replica, counter: 2), value: .string("x"))])
        #expect(throws: ValidationError.self) { try change.validate() }
    }
}

@Suite("Timestamps")
struct TimestampTests {
    @Test("a time prints at its nearest millisecond, and prints the same after any number of round trips")
    func roundTrips() throws {
        var random = SplitMix64(seed: 3)
        for _ in 0..<20_000 {
            let date = Date(timeIntervalSince1970: 1_795_000_000 + Double(random.next() % 100_000_000) / 1_000 + Double(random.next() % 1_000) / 1e6)
            let text = FieldValueCoding.text(of: date)
            var again = date
            for _ in 0..<3 {
                again = try FieldValueCoding.decode(Date.self, from: .string(FieldValueCoding.text(of: again)), field: "at")
                #expect(FieldValueCoding.text(of: again) == text)
            }
            #expect(abs(again.timeIntervalSince(date)) <= 0.000_501)
        }
    }
}

extension TimestampTests {
    @Test("a time kept at whole milliseconds prints as exactly itself: a `since` sent back names the same instant")
    func wholeMillisecondsExact() throws {
        var random = SplitMix64(seed: 5)
        for _ in 0..<20_000 {
            let date = Date(timeIntervalSince1970: 1_795_000_000 + Double(random.next() % 100_000_000) / 1_000 + Double(random.next() % 1_000) / 1e6)
            let kept = FieldValueCoding.wholeMilliseconds(date)
            let read = try FieldValueCoding.decode(Date.self, from: .string(FieldValueCoding.text(of: kept)), field: "at")
            #expect(read == kept)
        }
    }
}
