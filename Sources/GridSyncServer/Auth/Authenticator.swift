import Foundation
import GridSyncProtocol
import HTTPTypes
import Hummingbird

/// Checks bearer tokens against the store on every request, so a revoked token fails on the
/// very next request rather than when some cache expires.
struct Authenticator: Sendable {
    let engine: SyncEngine

    func device(_ request: Request) async throws -> DeviceRecord {
        if bearer(request)?.hasPrefix(TokenFactory.opsPrefix + "_") == true {
            throw APIError(.forbidden, .forbidden, "ops tokens cannot sync: enrol a device and use its token")
        }
        guard let token = bearer(request), token.hasPrefix(TokenFactory.devicePrefix + "_"),
              let device = try await engine.device(tokenHash: TokenFactory.hash(token)) else {
            throw APIError.unauthenticated
        }
        guard device.status == .active else { throw APIError.revoked }
        return device
    }

    func ops(_ request: Request, needs role: OpsRole) async throws -> OpsTokenRecord {
        if bearer(request)?.hasPrefix(TokenFactory.devicePrefix + "_") == true {
            throw APIError(.forbidden, .forbidden, "device tokens cannot use the admin API: use an ops token")
        }
        guard let token = bearer(request), token.hasPrefix(TokenFactory.opsPrefix + "_"),
              let record = try await engine.opsToken(tokenHash: TokenFactory.hash(token)) else {
            throw APIError.unauthenticated
        }
        guard !record.revoked else { throw APIError.revoked }
        guard record.role >= role else { throw APIError.forbidden(role) }
        return record
    }

    /// The device a request's token names, revoked or not, if the server knows it.
    func deviceID(_ request: Request) async -> String? {
        guard let token = bearer(request), token.hasPrefix(TokenFactory.devicePrefix + "_") else { return nil }
        return try? await engine.device(tokenHash: TokenFactory.hash(token))?.id
    }

    /// The name of the ops token a request carries, if it is one the server knows.
    func opsName(_ request: Request) async -> String? {
        guard let token = bearer(request) else { return nil }
        return try? await engine.opsToken(tokenHash: TokenFactory.hash(token))?.name
    }

    private func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        let token = value.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        return token.isEmpty || token.count > 200 ? nil : token
    }
}
