import Foundation

/// One line of the append-only audit log: who did what, when, and how it ended.
/// `GET /v1/admin/audit?since=…`. `Protocol/README.md`, "Admin: audit".
public struct AuditEntry: Codable, Sendable, Hashable {
    public var seq: Int64
    public var at: Date
    /// The ops token's name, or `device:<id>` for enrolment.
    public var actor: String
    public var action: String
    public var target: String?
    /// `ok`, or the error code that refused the action.
    public var outcome: String
    /// A reason the actor gave, such as a resolution's `--reason`. Never personal data.
    public var detail: String?

    public init(seq: Int64, at: Date, actor: String, action: String, target: String?, outcome: String, detail: String?) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.detail = detail
    }
}

public struct AuditPage: Codable, Sendable, Hashable {
    public var entries: [AuditEntry]
    public init(entries: [AuditEntry]) { self.entries = entries }
}
