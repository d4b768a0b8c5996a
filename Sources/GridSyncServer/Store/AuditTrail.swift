import Foundation
import GridSyncProtocol

/// The append-only audit log, inside one transaction.
public protocol AuditTrail {
    func appendAudit(actor: String, action: String, target: String?, outcome: String, detail: String?, at: Date) throws
    /// Entries at or after `since`, oldest first, at most `limit`.
    func auditEntries(since: Date?, limit: Int) throws -> [AuditEntry]
}
