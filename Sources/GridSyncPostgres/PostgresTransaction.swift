import Foundation
import GridSyncServer
import Logging
import PostgresNIO

/// One PostgreSQL transaction, as the engine sees it. It lives on one of the store's own
/// threads, and each query blocks that thread until its rows are in.
struct PostgresTransaction {
    let connection: PostgresConnection
    let logger: Logger
    let positions: PositionScheme

    /// Runs a query and returns every row.
    @discardableResult
    func rows(_ query: PostgresQuery) throws -> [PostgresRandomAccessRow] {
        let connection = self.connection, logger = self.logger
        return try Blocking.wait {
            try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
        }
    }

    /// Runs a statement for its effect.
    func execute(_ query: PostgresQuery) throws {
        try rows(query)
    }
}

/// Waits, on a thread that may block, for async work to finish.
enum Blocking {
    private final class Outcome<T: Sendable>: @unchecked Sendable {
        var result: Result<T, any Error>?
        let done = DispatchSemaphore(value: 0)
    }

    static func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        Task {
            do { outcome.result = .success(try await work()) } catch { outcome.result = .failure(error) }
            outcome.done.signal()
        }
        outcome.done.wait()
        return try outcome.result!.get()
    }
}

/// How change-log positions are taken.
enum PositionScheme: Sendable {
    /// From one counter row, whose lock is held to the commit: positions grow in commit order.
    case commitOrdered
    /// From a plain sequence, as a single-writer store might. Unsound with several writers: a
    /// transaction that took 101 can commit after one that took 102 was served, and a pull
    /// past 102 never sees 101. Never used by the server; the late-commit cursor test runs it
    /// (after creating the sequence `plain_position`) to show that the test catches exactly that.
    case plainSequence
}
