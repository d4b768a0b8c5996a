import ArgumentParser
import Foundation
import GridSyncCore
import GridSyncProtocol

/// Merge decisions per second: classify and join one incoming change into a household.
///
/// The baseline is decoding that same change from its JSON wire form, which every push does
/// anyway; the ratio says how much the merge adds to merely reading the request.
struct MergeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge decisions per second, beside JSON decoding of the same change.",
        discussion: "Example:\n  swift run -c release gridsync-bench merge")

    func run() throws {
        let record = RecordKey(kind: .household, id: RecordID("hh-bench")!)
        let worker = ReplicaID("dev-worker")!, cadre = ReplicaID("dev-cadre")!
        var stored = RecordState()
        var fields: [FieldPath: FieldValue] = [
            FieldPath("grid")!: .string("futian/shatou/community-03/grid-12"),
            FieldPath("type")!: .string("resident"),
            FieldPath("address")!: .object(["building": .string("12"), "unit": .string("2"), "room": .string("301")]),
        ]
        for index in 1...8 {
            fields[FieldPath("members", element: "m\(index)")] = .object(["id": .string("m\(index)"), "name": .string("member"), "relation": .string("child"), "tags": .array([])])
        }
        _ = stored.write(fields, by: worker, id: ChangeID("create")!, record: record)

        // A fast-forward, a concurrent edit of another field, and a concurrent same-field edit.
        var workerCopy = stored, cadreCopy = stored
        let fastForward = workerCopy.write([FieldPath("notes")!: .string("visited")], by: worker, id: ChangeID("ff")!, record: record)
        let concurrent = cadreCopy.write([FieldPath("members/m3")!: .object(["id": .string("m3"), "name": .string("x"), "relation": .string("child"), "tags": .array([])])],
                                         by: cadre, id: ChangeID("cc")!, record: record)
        var conflicting = stored
        _ = conflicting.write([FieldPath("notes")!: .string("other")], by: cadre, id: ChangeID("x")!, record: record)
        let sameField = conflicting.write([FieldPath("notes")!: .string("again")], by: cadre, id: ChangeID("cf")!, record: record)
        let changes = [fastForward, concurrent, sameField]
        let wire = try changes.map { try WireCoding.encode($0) }

        var index = 0
        let merges = operationsPerSecond(batch: 1_000) {
            var state = stored
            blackHole(state.apply(changes[index % 3]))
            index &+= 1
        }
        let decoder = WireCoding.makeDecoder()
        let decodes = operationsPerSecond(batch: 200) {
            blackHole(try? decoder.decode(Change.self, from: wire[index % 3]))
            index &+= 1
        }
        print("merge decisions:        \(formatRate(merges))")
        print("baseline, JSON decode:  \(formatRate(decodes)) (same changes)")
        print(String(format: "ratio merge / decode:   %.1fx", merges / decodes))
    }
}
