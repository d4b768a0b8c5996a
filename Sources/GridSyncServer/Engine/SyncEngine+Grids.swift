import Foundation
import GridSyncCore
import GridSyncProtocol

extension SyncEngine {
    public func hierarchy() async throws -> GridHierarchy {
        try await store.read { try $0.hierarchy() }
    }

    /// Replaces the hierarchy and every assignment atomically.
    public func replaceHierarchy(_ hierarchy: GridHierarchy) async throws {
        try await store.write { try $0.replaceHierarchy(hierarchy) }
    }

    /// The scope roots a worker covers now.
    public func scope(ofWorker worker: String) async throws -> [GridPath] {
        try await store.read { try $0.scope(ofWorker: worker) }
    }

    public func appendAudit(actor: String, action: String, target: String?, outcome: String, detail: String?, at: Date) async throws {
        try await store.write { try $0.appendAudit(actor: actor, action: action, target: target, outcome: outcome, detail: detail, at: at) }
    }

    public func auditEntries(since: Date?, limit: Int) async throws -> [AuditEntry] {
        try await store.read { try $0.auditEntries(since: since, limit: limit) }
    }
}
