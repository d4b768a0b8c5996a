import Foundation
import GridSyncProtocol
import HTTPTypes
import Hummingbird
import Logging

/// Turns every failure into an ``ErrorEnvelope``: ours pass through, Hummingbird's (such as an
/// unknown route) get a code, and anything unexpected becomes a logged 500 whose body says
/// nothing but the request id.
struct ErrorEnvelopeMiddleware: RouterMiddleware {
    typealias Context = GridSyncRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let code: ErrorCode = switch error.status {
            case .notFound: .notFound
            case .contentTooLarge: .payloadTooLarge
            case .unauthorized: .unauthenticated
            case .forbidden: .forbidden
            default: error.status.code < 500 ? .invalidRequest : .internalError
            }
            let message = error.status == .notFound ? "no such endpoint: see Protocol/README.md" : (error.body ?? error.status.reasonPhrase)
            return try APIError(error.status, code, message).response(from: request, context: context)
        } catch let error as StoreError {
            guard case .unavailable(let code) = error.code else { throw error }
            // The disk is full, or the database too busy: nothing was committed, and the same
            // request will work later. The store's code alone is logged.
            context.logger.error("storage unavailable", metadata: ["store_code": .string(code)])
            var refusal = APIError(.serviceUnavailable, .overloaded, "the server cannot store data just now: retry after the pause it gives")
            refusal.retryAfterSeconds = 30
            return try refusal.response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": .string(String(describing: type(of: error)))])
            return try APIError(.internalServerError, .internalError, "internal error: retry later; quote the request id to the operator")
                .response(from: request, context: context)
        }
    }
}
