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
        // 1-64 ASCII letters, digits and '-'; anything else (empty included) gets a minted id,
        // so a log line can always be found by the id the client was told.
        let supplied = request.headers[Self.header].flatMap { id in
            (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 45 }
                ? id : nil
        }
        context.requestID = supplied ?? TokenFactory.shortID()
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        var response = try await next(request, context)
        response.headers[Self.header] = context.requestID
        return response
    }
}
