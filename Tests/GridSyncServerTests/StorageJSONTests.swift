import Foundation
import GridSyncCore
@testable import GridSyncServer
import Testing

/// The hand-written storage encoder must produce exactly what `JSONDecoder` reads back.
@Suite("Storage JSON")
struct StorageJSONTests {
    static let awkward: [FieldValue] = [
        .string("引号\"与反斜杠\\和换行\n\t\u{01}"), .string(""), .number(0.1), .number(-3), .number(1e300),
        .bool(true), .null, .array([.number(1), .string("a"), .object([:])]),
        .object(["嵌套": .object(["k": .array([])]), "x\"y": .bool(false)]),
    ]

    @Test("states with awkward values round-trip through StorageJSON and JSONDecoder")
    func roundTrip() throws {
        var terminal = Terminal("dev-a")
        var other = Terminal("dev-b")
        let key = RecordKey(kind: .household, id: RecordID("hh-1")!)
        for (index, value) in Self.awkward.enumerated() {
            _ = try terminal.write([FieldPath("notes")!: value, FieldPath("members", element: "m\(index)"): value], to: key)
            _ = try other.write([FieldPath("notes")!: value], to: key)
        }
        var state = terminal.states[key]!
        state.merge(other.states[key]!)
        _ = state.apply(Change(id: ChangeID("gap")!, record: key, clock: VectorClock([ReplicaID("dev-c")!: 5]), supersedes: [],
                               writes: [FieldPath("type")!: FieldWrite(dot: Dot("dev-c:5")!, value: .string("rented"))]))
        #expect(!state.context.cloud.isEmpty)
        let decoded = try JSONDecoder().decode(RecordState.self, from: CompactJSON.encode(state))
        #expect(decoded == state)
        #expect(try JSONDecoder().decode(VectorClock.self, from: Data(CompactJSON.text(state.clock).utf8)) == state.clock)
    }
}

extension StorageJSONTests {
    @Test("changes written by CompactJSON decode to the same change")
    func changeRoundTrip() throws {
        var terminal = Terminal("dev-a")
        let key = RecordKey(kind: .household, id: RecordID("hh-1")!)
        for value in Self.awkward {
            let change = try terminal.write([FieldPath("notes")!: value, FieldPath("members", element: "m1"): value], to: key)
            #expect(try JSONDecoder().decode(Change.self, from: CompactJSON.encode(change)) == change)
        }
    }
}
