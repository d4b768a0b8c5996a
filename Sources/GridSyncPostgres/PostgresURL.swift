import Foundation
import PostgresNIO

/// Reads `postgres://user[:password]@host[:port]/database` into a client configuration.
public enum PostgresURL {
    struct Invalid: Error, CustomStringConvertible {
        var description: String { "not a PostgreSQL URL: expected postgres://user[:password]@host[:port]/database" }
    }

    /// The same server and user, another database.
    static func replacingDatabase(in text: String, with database: String) throws -> String {
        guard var url = URLComponents(string: text) else { throw Invalid() }
        url.path = "/" + database
        guard let replaced = url.string else { throw Invalid() }
        return replaced
    }

    public static func configuration(_ text: String) throws -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? ""),
              let host = url.host, !host.isEmpty, let user = url.user, !user.isEmpty else { throw Invalid() }
        let database = String(url.path.drop { $0 == "/" })
        // A server on loopback or a private network usually speaks plain TCP; TLS is used when
        // the server offers it unless `sslmode=disable` says not to ask.
        let plain = url.queryItems?.contains { $0.name == "sslmode" && $0.value == "disable" } ?? false
        return PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: user, password: url.password,
            database: database.isEmpty ? nil : database, tls: plain ? .disable : .prefer(.makeClientConfiguration()))
    }
}
