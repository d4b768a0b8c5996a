import Foundation
import GridSyncProtocol

/// What every route needs, built once by ``buildApplication(configuration:store:)``.
struct ServerEnvironment: Sendable {
    let store: any SyncStore
    let limits: SyncLimits
    let metrics: ServerMetrics
    let authenticator: Authenticator
    let groupCommit: GroupCommit
    /// Injected so tests can pin "today"; server time is used only for display and staleness,
    /// never for merging.
    let now: @Sendable () -> Date

    init(store: any SyncStore, limits: SyncLimits, metrics: ServerMetrics, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.limits = limits
        self.metrics = metrics
        self.authenticator = Authenticator(store: store)
        self.groupCommit = GroupCommit(store: store)
        self.now = now
    }

    /// Writes an audit line; an audit failure fails the action rather than going unrecorded.
    func audit(_ actor: String, _ action: String, target: String? = nil, outcome: String = "ok", detail: String? = nil) async throws {
        try await store.appendAudit(actor: actor, action: action, target: target, outcome: outcome, detail: detail, at: now())
    }
}
