import Foundation
import GRDB

/// One insert per transaction through a prepared statement.
enum RawInsertBaseline {
    static func insertsPerSecond(path: String, seconds: Double = 2) throws -> Double {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        return try pool.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, change_id TEXT, body BLOB)")
            let statement = try db.makeStatement(sql: "INSERT INTO t (change_id, body) VALUES (?, ?)")
            let payload = Data(repeating: 7, count: 400)
            let clock = ContinuousClock()
            let start = clock.now
            var count = 0
            while clock.now - start < .milliseconds(Int(seconds * 1_000)) {
                try statement.execute(arguments: ["change-\(count)", payload])
                count += 1
            }
            let elapsed = clock.now - start
            return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }
}
