import Foundation
import GRDB

/// The storm's rows written raw: each terminal's pushed visits as one transaction of plain
/// inserts, with the server's durability (WAL, `synchronous = FULL`). What storing the storm
/// costs with no merging, no HTTP and no pulls.
enum RawStormInserts {
    static func seconds(path: String, fleet: StormFleet) throws -> Double {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in try db.execute(sql: "CREATE TABLE visit (id TEXT PRIMARY KEY, body BLOB)") }
        let clock = ContinuousClock()
        let started = clock.now
        for terminal in fleet.terminals {
            let share = terminal.push.readableBytes / max(terminal.visitIDs.count, 1)
            try pool.write { db in
                let statement = try db.makeStatement(sql: "INSERT INTO visit (id, body) VALUES (?, ?)")
                for (index, id) in terminal.visitIDs.enumerated() {
                    try statement.execute(arguments: [id.rawValue, Data(terminal.push.getBytes(at: terminal.push.readerIndex + index * share, length: share) ?? [])])
                }
            }
        }
        return (clock.now - started).seconds
    }
}
