import Foundation
import GridSyncProtocol

/// Why an admin call failed, read once from the answer's status and error envelope: what a
/// person or a script decides on. The message is the server's, which never quotes a value.
public struct AdminError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Hashable {
        /// No server answered.
        case unreachable
        /// The token is unknown, revoked or lacks the role (401, 403).
        case refused
        case notFound
        /// The thing changed since it was shown (409).
        case changed
        /// The request was wrong (400, 413, 422).
        case invalid
        /// The server failed or speaks another version (5xx, 426, anything else).
        case server
        /// A 2xx whose body is not what the call expects.
        case unreadable
    }

    public let kind: Kind
    /// The HTTP status, when the server answered.
    public let status: Int?
    public let code: ErrorCode?
    public let message: String
    public let field: String?

    public init(kind: Kind, status: Int?, code: ErrorCode? = nil, message: String, field: String? = nil) {
        self.kind = kind
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// The one mapping from an answer to an error.
    public init(status: Int, body: Data) {
        let envelope = try? WireCoding.decode(ErrorEnvelope.self, from: body).error
        let kind: Kind = switch status {
        case 401, 403: .refused
        case 404: .notFound
        case 409: .changed
        case 400, 413, 422: .invalid
        default: .server
        }
        var message = envelope?.message ?? "the server answered HTTP \(status)"
        if let field = envelope?.field { message += " (at \(field))" }
        self.init(kind: kind, status: status, code: envelope?.code, message: message, field: envelope?.field)
    }

    static func unreachable(_ server: URL?) -> AdminError {
        AdminError(kind: .unreachable, status: nil,
                   message: "cannot reach \(server?.absoluteString ?? "the server"): check --server and that gridsync-server is running")
    }

    public var description: String { message }
}
