import Foundation
import GridSyncPostgres
import Logging
import NIOCore
import PostgresNIO

/// The PostgreSQL baseline: one prepared single-row insert per commit (autocommit), from as
/// many connections as the store opens, into the same database the server then uses.
enum PostgresInsertBaseline {
    /// Matches what the store's push path can use at once in the benchmark.
    static let connections = 8

    struct InsertChange: PostgresPreparedStatement {
        static let sql = "INSERT INTO raw_insert (change_id, body) VALUES ($1, $2)"
        typealias Row = Void
        var changeID: String
        var body: ByteBuffer

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(changeID)
            bindings.append(body)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    static func insertsPerSecond(url: String, connections: Int, seconds: Double = 3) async throws -> Double {
        // Read as the store reads it, so both sides connect the same way.
        var configuration = try PostgresURL.configuration(url)
        configuration.options.maximumConnections = connections
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "bench.raw"))
        return try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { await client.run(); return 0 }
            try await client.query("CREATE TABLE raw_insert (id BIGSERIAL PRIMARY KEY, change_id TEXT NOT NULL, body BYTEA NOT NULL)")
            let payload = ByteBuffer(repeating: 7, count: 400)
            let clock = ContinuousClock()
            let deadline = clock.now + .milliseconds(Int(seconds * 1_000))
            let start = clock.now
            var inserts = 0
            try await withThrowingTaskGroup(of: Int.self) { writers in
                for writer in 0..<connections {
                    writers.addTask {
                        var count = 0
                        try await client.withConnection { connection in
                            while clock.now < deadline {
                                _ = try await connection.execute(InsertChange(changeID: "c-\(writer)-\(count)", body: payload), logger: Logger(label: "bench.raw"))
                                count += 1
                            }
                        }
                        return count
                    }
                }
                for try await count in writers { inserts += count }
            }
            let elapsed = clock.now - start
            group.cancelAll()
            return Double(inserts) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }
}
