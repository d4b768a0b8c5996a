import Foundation
import Logging
import PostgresNIO

/// Makes and drops whole databases on a PostgreSQL server: each test store and each simulated
/// day gets an empty database of its own, so runs never see each other's rows.
public enum PostgresDatabases {
    /// Creates an empty database named `prefix_<random>` on the server `url` points at, and
    /// returns the URL of the new database.
    public static func create(on url: String, prefix: String = "gridsync") async throws -> String {
        let name = prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try await onServer(url) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        return try PostgresURL.replacingDatabase(in: url, with: name)
    }

    /// Drops the database `url` names, disconnecting whoever is still on it.
    public static func drop(_ url: String) async throws {
        let configuration = try PostgresURL.configuration(url)
        guard let name = configuration.database, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return }
        try await onServer(url) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    /// Runs `body` on a connection to the server's `postgres` database.
    private static func onServer(_ url: String, _ body: (PostgresConnection, Logger) async throws -> Void) async throws {
        let client = try PostgresURL.configuration(try PostgresURL.replacingDatabase(in: url, with: "postgres"))
        var logger = Logger(label: "gridsync.postgres.admin")
        logger.logLevel = .error
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: client.host ?? "127.0.0.1", port: client.port ?? 5432, username: client.username, password: client.password,
                database: client.database, tls: .disable),
            id: 1, logger: logger)
        do {
            try await body(connection, logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}
