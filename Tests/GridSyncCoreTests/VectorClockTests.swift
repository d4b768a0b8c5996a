import Foundation
import Testing
@testable import GridSyncCore

@Suite("Vector clocks")
struct VectorClockTests {
    let a = ReplicaID("dev-a")!, b = ReplicaID("dev-b")!

    @Test("compare gives equal, before, after or concurrent", arguments: [
        ([1, 1], [1, 1], ClockOrder.equal),
        ([1, 0], [1, 1], .before),
        ([2, 1], [1, 1], .after),
        ([2, 0], [1, 1], .concurrent),
        ([0, 0], [0, 0], .equal),
    ])
    func compare(left: [UInt64], right: [UInt64], expected: ClockOrder) {
        let lhs = VectorClock([a: left[0], b: left[1]]), rhs = VectorClock([a: right[0], b: right[1]])
        #expect(lhs.compare(to: rhs) == expected)
    }

    @Test func mergeIsPointwiseMax() {
        let merged = VectorClock([a: 3, b: 1]).merged(with: VectorClock([a: 1, b: 4]))
        #expect(merged == VectorClock([a: 3, b: 4]))
    }

    @Test func incrementReturnsTheNewDot() {
        var clock = VectorClock([a: 2])
        #expect(clock.increment(a) == Dot(replica: a, counter: 3))
        #expect(clock[a] == 3)
    }

    @Test("zero entries do not change identity or encoding")
    func zeroEntries() throws {
        #expect(VectorClock([a: 0, b: 2]) == VectorClock([b: 2]))
        let data = try JSONEncoder.sorted.encode(VectorClock([b: 2, a: 1]))
        #expect(String(decoding: data, as: UTF8.self) == #"{"dev-a":1,"dev-b":2}"#)
        #expect(try JSONDecoder().decode(VectorClock.self, from: data) == VectorClock([a: 1, b: 2]))
    }

    @Test("a clock with a bad replica id does not decode")
    func rejectsBadKeys() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(VectorClock.self, from: Data(#"{"bad:id":1}"#.utf8))
        }
    }

    @Test("dots round-trip through their text form")
    func dotText() {
        #expect(Dot("dev-a:7") == Dot(replica: a, counter: 7))
        #expect(Dot("dev-a:0") == nil)
        #expect(Dot("no-counter") == nil)
        #expect(Dot(replica: a, counter: 7).description == "dev-a:7")
    }

    @Test("a causal context keeps dots above a gap apart until the gap fills")
    func causalContextCloud() {
        var context = CausalContext()
        context.insert(Dot(replica: a, counter: 1))
        context.insert(Dot(replica: a, counter: 3))
        #expect(context.contains(Dot(replica: a, counter: 3)))
        #expect(!context.contains(Dot(replica: a, counter: 2)))
        #expect(context.cloud == [Dot(replica: a, counter: 3)])
        context.insert(Dot(replica: a, counter: 2))
        #expect(context.cloud.isEmpty)
        #expect(context.compact == VectorClock([a: 3]))
    }

    @Test func causalContextUnionFoldsClouds() {
        let left = CausalContext(dots: [Dot(replica: a, counter: 2)])
        let right = CausalContext(dots: [Dot(replica: a, counter: 1)])
        #expect(left.union(right) == CausalContext(compact: VectorClock([a: 2])))
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
