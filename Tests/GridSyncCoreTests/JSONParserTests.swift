import Foundation
import Testing
@testable import GridSyncCore

@Suite("JSON parser")
struct JSONParserTests {
    @Test("parses what JSONSerialization parses, to the same values", arguments: [
        #"{"a":[1,-2.5,3e2,true,false,null],"b":{"c":"d"}}"#,
        #""\u4e2d\u6587 \ud83d\ude00 \" \\ \/ \b\f\n\r\t""#,
        #"  [ ]  "#, #"{}"#, "0", "-0.0", #""网格员""#,
    ])
    func agreesWithFoundation(text: String) throws {
        let data = Data(text.utf8)
        let ours = try JSONParser.parse(data)
        let theirs = try JSONDecoder().decode(FieldValue.self, from: data)
        #expect(ours == theirs)
    }

    @Test("refuses malformed JSON", arguments: [
        "", "{", #"{"a" 1}"#, "[1,]", "01", "1.", "tru", #""unterminated"#, #""\x""#, #""\ud800""#, "[1] 2", "\"a\u{01}b\"",
    ])
    func refuses(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Data(text.utf8)) }
    }

    @Test("decoding through the parser matches JSONDecoder for a record state")
    func recordState() throws {
        var state = RecordState()
        let key = RecordKey(kind: .household, id: RecordID("hh-1")!)
        _ = state.write(try Fixtures.household.fields(), by: ReplicaID("dev-a")!, id: ChangeID("c1")!, record: key)
        let data = CompactJSON.encode(state)
        #expect(try FieldValueCoding.decodeJSON(RecordState.self, from: data) == JSONDecoder().decode(RecordState.self, from: data))
    }
}

@Suite("Field value encoder")
struct FieldValueEncoderTests {
    /// Encodes through a nested container, which the direct encoder hands over to JSON.
    struct Nested: Encodable {
        enum Keys: String, CodingKey { case outer, inner }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var inner = container.nestedContainer(keyedBy: Keys.self, forKey: .outer)
            try inner.encode("value", forKey: .inner)
        }
    }

    @Test("types with nested containers still encode, through JSON")
    func nested() throws {
        #expect(try FieldValueCoding.encode(Nested()) == .object(["outer": .object(["inner": .string("value")])]))
    }

    @Test("records encode directly to the same values as through JSON")
    func sameAsJSON() throws {
        let direct = try FieldValueCoding.encode(Fixtures.patrol)
        let viaJSON = try JSONParser.parse(FieldValueCoding.makeEncoder().encode(Fixtures.patrol))
        #expect(direct == viaJSON)
    }
}
