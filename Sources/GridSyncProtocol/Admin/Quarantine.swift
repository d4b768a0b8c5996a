import Foundation
import GridSyncCore

/// A record ops set aside: pull does not serve it until it is released. `Protocol/README.md`,
/// "Admin: records".
public struct QuarantinedRecord: Codable, Sendable, Hashable {
    public var kind: RecordKind
    public var id: RecordID
    public var grids: [GridPath]
    /// Why, as ops gave it, or the server's own reason for records that broke the value bounds
    /// when those came in. Never personal data.
    public var reason: String
    /// Server time it was set aside.
    public var since: Date

    public init(kind: RecordKind, id: RecordID, grids: [GridPath], reason: String, since: Date) {
        self.kind = kind
        self.id = id
        self.grids = grids
        self.reason = reason
        self.since = since
    }
}

/// `GET /v1/admin/records/quarantined`.
public struct QuarantineList: Codable, Sendable, Hashable {
    public var records: [QuarantinedRecord]
    public init(records: [QuarantinedRecord]) { self.records = records }
}

/// `POST /v1/admin/records/{kind}/{id}/quarantine`.
public struct QuarantineRequest: Codable, Sendable, Hashable {
    /// Recorded with the quarantine and in the audit log. Never personal data.
    public var reason: String
    public init(reason: String) { self.reason = reason }
}
