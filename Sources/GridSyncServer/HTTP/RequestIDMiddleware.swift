import Foundation
import GridSyncProtocol
import HTTPTypes
import Hummingbird

/// Gives every request an id (the client's `X-Request-ID`, or a new one), puts it on every log
/// line of the request and on the response, errors included.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = GridSyncRequestContext
    static let header = HTTPField.Name(WireProtocol.requestIDHeader)!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let supplied = request.headers[Self.header].flatMap { $0.count <= 64 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } ? $0 : nil }
        context.requestID = supplied ?? TokenFactory.shortID()
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        var response = try await next(request, context)
        response.headers[Self.header] = context.requestID
        return response
    }
}
