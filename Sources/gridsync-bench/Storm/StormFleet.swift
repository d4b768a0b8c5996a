import Foundation
import GridSyncCore
import GridSyncProtocol
import GridSyncServer
import GridSyncSQLite
import NIOCore

/// The district's terminals: enrolled straight into the server's database before the server
/// starts, then seeded and brought up to date over HTTP, so the storm starts from where a real
/// morning does.
struct StormFleet {
    var terminals: [StormWorkload.Terminal]
    var grids: Int

    static func enrol(terminals count: Int, visits: Int, households: Int, database: String) async throws -> StormFleet {
        let engine = SyncEngine(store: try SQLiteStore(path: database))
        try await engine.replaceHierarchy(GridHierarchy(grids: [GridNode(path: StormWorkload.district)], assignments: []))
        var terminals: [StormWorkload.Terminal] = []
        for index in 0..<count {
            let grid = index % ((count + 9) / 10), worker = "worker-\(index)"
            let code = "storm-code-\(index)", token = TokenFactory.token(prefix: TokenFactory.devicePrefix)
            _ = try await engine.createDevice(worker: worker, grids: [StormWorkload.grid(grid)], enrollmentCodeHash: TokenFactory.hash(code),
                                              registrationKey: nil, at: Date())
            let device = try await engine.enroll(enrollmentCodeHash: TokenFactory.hash(code), tokenHash: TokenFactory.hash(token),
                                                 appVersion: "bench", installationID: nil, at: Date())
            let (push, ids) = try StormWorkload.visits(terminal: index, grid: grid, worker: worker, replica: device.replicaID,
                                                       count: visits, households: households)
            terminals.append(.init(index: index, grid: grid, worker: worker, token: token, replica: device.replicaID, push: push, visitIDs: ids))
        }
        return StormFleet(terminals: terminals, grids: (count + 9) / 10)
    }

    /// Terminal `g` is grid `g`'s first: terminals take grids in turn, so a grid's ten arrive
    /// spread over the storm, as people do.
    /// The first terminal of each grid pushes the grid's households.
    func seed(port: Int, households: Int, codec: StormCodec) async throws {
        try await ThinConnection.with(port: port) { exchange in
            for grid in 0..<grids {
                let terminal = terminals[grid]
                let body = try StormWorkload.seedPush(grid: grid, households: households, replica: terminal.replica)
                let answer = try await codec.push(body, token: terminal.token, on: &exchange)
                guard answer.status == 200 else { throw StormFailure("seeding grid \(grid): HTTP \(answer.status)") }
            }
        }
    }

    /// Every terminal pulls to the end, and keeps its cursor for the storm.
    mutating func pullBeforeStorm(port: Int, connections: Int, codec: StormCodec) async throws {
        let cursors = try await withThrowingTaskGroup(of: [(Int, String)].self) { group in
            for lane in 0..<connections {
                group.addTask { [terminals] in
                    try await ThinConnection.with(port: port) { exchange in
                        var cursors: [(Int, String)] = []
                        for index in stride(from: lane, to: terminals.count, by: connections) {
                            var cursor = ""
                            while true {
                                let page = try await codec.pull(cursor: cursor, token: terminals[index].token, on: &exchange)
                                cursor = page.page.cursor
                                if !page.page.hasMore { break }
                            }
                            cursors.append((index, cursor))
                        }
                        return cursors
                    }
                }
            }
            return try await group.reduce(into: [Int: String]()) { all, lane in for (index, cursor) in lane { all[index] = cursor } }
        }
        for (index, cursor) in cursors { terminals[index].cursor = cursor }
    }
}

struct StormFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
