import Foundation
import GridSyncProtocol
import HTTPTypes
import Hummingbird
import NIOCore

/// An error that reaches the client as an ``ErrorEnvelope`` with the right status.
///
/// Messages say what to do next and never carry household personal data; anything more
/// detailed goes to the log under the request id.
public struct APIError: HTTPResponseError {
    public let status: HTTPResponse.Status
    public var body: ErrorBody
    public var retryAfterSeconds: Int?
    /// Headers the answer carries besides the envelope's (`Content-Range` on a 416, say).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: ErrorCode, _ message: String) {
        self.status = status
        self.body = ErrorBody(code: code, message: message)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = self.body
        if let context = context as? GridSyncRequestContext { body.requestId = context.requestID }
        var headers = self.headers
        headers[.contentType] = "application/json"
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        let data = try WireCoding.encode(ErrorEnvelope(error: body))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension ErrorEnvelope {
    init(error: ErrorBody) {
        self.init(error.code, error.message)
        self.error = error
    }
}

extension APIError {
    static func invalid(_ message: String, field: String? = nil) -> APIError {
        var error = APIError(.badRequest, .invalidRequest, message)
        error.body.field = field
        return error
    }

    static let unauthenticated = APIError(.unauthorized, .unauthenticated, "missing or unknown token: send Authorization: Bearer <token>")
    static let revoked = APIError(.unauthorized, .tokenRevoked, "token revoked: ask an admin for a new one")
    static func forbidden(_ needed: OpsRole) -> APIError {
        APIError(.forbidden, .forbidden, "this action needs the \(needed.rawValue) role")
    }
    static let notFound = APIError(.notFound, .notFound, "no such resource")

    static func tooLarge(limit: Int) -> APIError {
        var error = APIError(.contentTooLarge, .payloadTooLarge, "the request body is larger than \(limit) bytes: send fewer changes per push")
        error.body.limit = limit
        return error
    }

    static var unsupportedVersion: APIError {
        var error = APIError(
            .upgradeRequired, .unsupportedProtocolVersion,
            "send \(WireProtocol.versionHeader): \(WireProtocol.version); this server speaks protocol versions \(WireProtocol.supportedVersions.map(String.init).joined(separator: ", ")): update the app")
        error.body.supportedVersions = WireProtocol.supportedVersions
        return error
    }
}
