import Foundation
import GridSyncCore
import GridSyncProtocol

/// The side-by-side view of one conflict: every field, merged ones marked, contested ones with
/// each side's value in its own column.
struct ConflictDiff {
    let detail: ConflictDetail

    /// The blobs the record's photo fields name, on any side.
    var photos: [BlobDigest] {
        let properties = detail.summary.kind.schema.photoProperties
        var found: Set<BlobDigest> = []
        for comparison in detail.fields where properties.contains(String(comparison.field.property)) {
            for value in [comparison.value].compactMap({ $0 }) + (comparison.candidates.map { Array($0.values) } ?? []) {
                if let digest = value.objectValue?["sha256"]?.stringValue.flatMap(BlobDigest.init) { found.insert(digest) }
            }
        }
        return found.sorted()
    }

    static func letter(_ index: Int) -> String {
        String(UnicodeScalar(65 + index).map(Character.init) ?? "?")
    }

    func print() {
        let summary = detail.summary
        Swift.print(Output.tint("\(summary.kind.rawValue)/\(summary.id)", .bold) + "  grid \(summary.grids.map(\.description).joined(separator: " "))"
              + "  version \(summary.version)  in conflict for \(Output.age(since: summary.since))")
        if summary.deleteConflict { Swift.print(Output.tint("one side deleted the record while another edited it", .yellow)) }
        Swift.print("")
        Output.table(["side", "worker", "device", "deletes", "clock"], detail.sides.enumerated().map { index, side in
            [Self.letter(index), side.worker ?? "—", side.deviceId ?? side.replica.rawValue, side.deletes ? "yes" : "",
             side.clock?.description ?? "—"]
        })
        Swift.print("")
        let letters = detail.sides.indices.map(Self.letter)
        var rows: [[String]] = []
        var tints: [[Output.Tint?]] = []
        for comparison in detail.fields {
            switch comparison.status {
            case .conflict:
                let cells = detail.sides.map { Output.value(comparison.candidates?[$0.replica.rawValue]) }
                rows.append([comparison.field.rawValue, "✗ conflict"] + cells)
                tints.append([nil, .red] + cells.map { _ in .yellow })
            case .merged:
                rows.append([comparison.field.rawValue, "✓ merged", Output.value(comparison.value)] + letters.dropFirst().map { _ in "" })
                tints.append([nil, .green, .dim])
            }
        }
        Output.table(["field", "status"] + letters, rows, tints: tints)
        PhotosCommand.list(photos)
        Swift.print("")
        // Fields contested before a delete: their writers need not be sides, so only --set decides them.
        let sideReplicas = Set(detail.sides.map(\.replica.rawValue))
        let beforeDelete = detail.fields.filter { ($0.candidates ?? [:]).keys.contains { !sideReplicas.contains($0) } }
        for comparison in beforeDelete {
            let values = (comparison.candidates ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \(Output.value($0.value))" }
            Swift.print(Output.tint("\(comparison.field.rawValue) was in conflict before the delete: ", .yellow) + values.joined(separator: " · "))
        }
        if beforeDelete.isEmpty {
            Swift.print("resolve with: gridsync conflicts resolve \(summary.kind.rawValue)/\(summary.id) --keep \(letters.first ?? "A") [--reason TEXT]")
        } else {
            let sets = beforeDelete.map { "--set \($0.field.rawValue)=VALUE" }.joined(separator: " ")
            Swift.print("resolve with: gridsync conflicts resolve \(summary.kind.rawValue)/\(summary.id) \(sets) [--reason TEXT]")
        }
    }
}
