import Foundation
import GridSyncCore
import GridSyncProtocol
import Hummingbird

/// Photos for the command centre: what a blob is and which records name it, and its bytes.
/// Every look is audited, since photos show people and homes. `Protocol/README.md`,
/// "Admin: photos".
struct AdminBlobRoutes {
    let environment: ServerEnvironment

    func register(on group: RouterGroup<GridSyncRequestContext>) {
        group.get("blobs/:sha256", use: environment.auditingRefusals("photos.show", show))
        group.get("blobs/:sha256/content", use: environment.auditingRefusals("photos.get", content))
    }

    @Sendable func show(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        let digest = try BlobRoutes.digest(context)
        guard let details = try await environment.photos.details(digest) else {
            throw APIError(.notFound, .notFound, "no photo with this SHA-256 is stored or named by a record")
        }
        try await environment.audit(actor.name, "photos.show", target: digest.hex)
        return try JSONBody.response(details)
    }

    @Sendable func content(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        let digest = try BlobRoutes.digest(context)
        guard let blob = try await environment.photos.blobs.blob(digest) else {
            throw APIError(.notFound, .notFound, "this photo is not stored (not uploaded yet, or collected)")
        }
        // Audited once it is known what is handed over (a refused range is audited as refused).
        let response = try await BlobRoutes.bytes(of: blob, request: request, from: environment.photos.blobs)
        try await environment.audit(actor.name, "photos.get", target: digest.hex, detail: request.headers[.range].map { "range \($0)" })
        return response
    }
}
