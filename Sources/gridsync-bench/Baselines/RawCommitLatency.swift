import Foundation
import GRDB
import Histogram

/// Per-commit latency of single-row inserts through a prepared statement.
enum RawCommitLatency {
    static func measure(path: String, count: Int) throws -> (p50: Double, p99: Double, insertsPerSecond: Double) {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)") }
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        let payload = Data(repeating: 7, count: 300)
        let clock = ContinuousClock()
        let started = clock.now
        for _ in 0..<count {
            let begin = clock.now
            try pool.write { db in try db.execute(sql: "INSERT INTO t (body) VALUES (?)", arguments: [payload]) }
            _ = histogram.record(UInt64((clock.now - begin).nanoseconds))
        }
        let rate = Double(count) / (clock.now - started).seconds
        return (Double(histogram.valueAtPercentile(50)) / 1_000, Double(histogram.valueAtPercentile(99)) / 1_000, rate)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
