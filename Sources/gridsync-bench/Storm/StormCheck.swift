import Foundation
import GridSyncCore

/// After the storm: a fresh pull of each grid, from no cursor, must hold every visit its
/// terminals pushed, each exactly once.
enum StormCheck {
    struct Result { var lost = 0; var duplicated = 0 }

    static func freshPulls(fleet: StormFleet, port: Int, codec: StormCodec) async throws -> Result {
        var result = Result()
        try await ThinConnection.with(port: port) { exchange in
            for grid in 0..<fleet.grids {
                let members = fleet.terminals.filter { $0.grid == grid }
                var seen: [String: Int] = [:]
                var cursor = ""
                while true {
                    let page = try await codec.pull(cursor: cursor, token: members[0].token, read: true, on: &exchange)
                    if let retryAfter = page.retryAfter { try await Task.sleep(for: .seconds(retryAfter)); continue }
                    for record in page.page.records where record.kind == RecordKind.householdVisit.rawValue { seen[record.id, default: 0] += 1 }
                    cursor = page.page.cursor
                    if !page.page.hasMore { break }
                }
                let expected = Set(members.flatMap { $0.visitIDs.map(\.rawValue) })
                result.lost += expected.filter { seen[$0] == nil }.count
                result.duplicated += seen.values.filter { $0 > 1 }.count + Set(seen.keys).subtracting(expected).count
            }
        }
        return result
    }
}
