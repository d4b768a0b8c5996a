/// Failures a store or the engine reports for the routes to turn into responses.
public struct StoreError: Error, Hashable, Sendable {
    public enum Code: Hashable, Sendable {
        case notFound, alreadyUsed, versionChanged, invalid(String)
        /// The storage cannot take writes just now (a full disk, a lost connection, say);
        /// nothing was committed and the same request will work later. The associated text is
        /// the engine's error code, for the log: never a message, which could quote data.
        case unavailable(String)
    }
    public let code: Code
    public init(_ code: Code) { self.code = code }
}
