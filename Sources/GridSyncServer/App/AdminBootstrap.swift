import Foundation
import GridSyncProtocol

/// Creates the first admin token non-interactively, the one way in to a brand-new server.
public enum AdminBootstrap {
    /// If the store has no ops tokens, creates an admin token and writes it to `path` with
    /// owner-only permissions. Returns the token when one was created.
    @discardableResult
    public static func ensureAdminToken(store: any SyncStore, writingTo path: String, now: Date = Date()) async throws -> String? {
        let engine = SyncEngine(store: store)
        guard try await engine.opsTokenCount() == 0 else { return nil }
        let token = TokenFactory.token(prefix: TokenFactory.opsPrefix)
        _ = try await engine.createOpsToken(name: "bootstrap-admin", role: .admin, tokenHash: TokenFactory.hash(token), at: now)
        try await engine.appendAudit(actor: "server", action: "tokens.bootstrap", target: path, outcome: "ok", detail: nil, at: now)
        guard FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        return token
    }
}
