import Crypto
import Foundation

/// Mints secrets and the hashes the server keeps instead of them.
///
/// Tokens are 256 random bits, so a hash without salt is enough: there is no dictionary to
/// attack, and an unsalted hash can be looked up by index on every request.
public enum TokenFactory {
    /// A new secret, such as `gsd_Xq3…`, with a prefix saying what it is for.
    public static func token(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + "_" + base64URL(Data(bytes))
    }

    /// The SHA-256 of a token, hex encoded: what the database stores and looks up.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A short random id for rows that people read, such as device ids.
    public static func shortID() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<10).map { _ in "abcdefghijkmnpqrstuvwxyz23456789".randomElement(using: &generator)! })
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Prefixes, so a leaked string says what it unlocks.
    public static let devicePrefix = "gsd"
    public static let opsPrefix = "gso"
    public static let enrollmentPrefix = "gse"
}
