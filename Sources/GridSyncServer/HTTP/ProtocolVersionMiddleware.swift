import Foundation
import GridSyncProtocol
import HTTPTypes
import Hummingbird

/// Refuses `/v1` requests whose `GridSync-Protocol` header is missing or names a version this
/// server does not speak, with 426 and the versions it does speak.
struct ProtocolVersionMiddleware: RouterMiddleware {
    typealias Context = GridSyncRequestContext
    static let header = HTTPField.Name(WireProtocol.versionHeader)!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let text = request.headers[Self.header], let version = Int(text.trimmingCharacters(in: .whitespaces)),
              WireProtocol.supportedVersions.contains(version) else {
            throw APIError.unsupportedVersion
        }
        var context = context
        context.protocolVersion = version
        return try await next(request, context)
    }
}
