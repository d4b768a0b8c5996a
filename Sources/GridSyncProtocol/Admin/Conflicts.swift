import Foundation
import GridSyncCore

/// A row of `GET /v1/admin/conflicts`. `Protocol/README.md`, "Admin: conflicts".
public struct ConflictSummary: Codable, Sendable, Hashable {
    public var kind: RecordKind
    public var id: RecordID
    public var grids: [GridPath]
    /// The number of sides (replicas) in the conflict.
    public var siblings: Int
    public var fields: [FieldPath]
    public var deleteConflict: Bool
    /// Who wrote the sides: worker names where known, else device ids.
    public var workers: [String]
    public var devices: [String]
    /// When the server first saw the record in conflict (server time).
    public var since: Date
    /// Pass back as `expectedVersion` when resolving.
    public var version: Int64

    public init(kind: RecordKind, id: RecordID, grids: [GridPath], siblings: Int, fields: [FieldPath], deleteConflict: Bool,
                workers: [String], devices: [String], since: Date, version: Int64) {
        self.kind = kind
        self.id = id
        self.grids = grids
        self.siblings = siblings
        self.fields = fields
        self.deleteConflict = deleteConflict
        self.workers = workers
        self.devices = devices
        self.since = since
        self.version = version
    }
}

public struct ConflictList: Codable, Sendable, Hashable {
    public var conflicts: [ConflictSummary]
    public init(conflicts: [ConflictSummary]) { self.conflicts = conflicts }
}

/// `GET /v1/admin/conflicts/{kind}/{id}`: everything needed to decide.
public struct ConflictDetail: Codable, Sendable, Hashable {
    public var summary: ConflictSummary
    /// Every field of the record: agreed ones with their single value, contested ones with
    /// each side's value.
    public var fields: [FieldComparison]
    public var sides: [ConflictSide]
    /// True when a household's personal values are masked (``PersonalDataMask``); absent for
    /// kinds without personal data and for an audited `reveal=true`.
    public var masked: Bool?

    public init(summary: ConflictSummary, fields: [FieldComparison], sides: [ConflictSide], masked: Bool? = nil) {
        self.masked = masked
        self.summary = summary
        self.fields = fields
        self.sides = sides
    }
}

/// One field, compared across the sides.
public struct FieldComparison: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable { case merged, conflict }

    public var field: FieldPath
    public var status: Status
    /// The agreed value, for a merged field.
    public var value: FieldValue?
    /// Each side's value, for a contested field, keyed by replica id.
    public var candidates: [String: FieldValue]?

    public init(field: FieldPath, status: Status, value: FieldValue? = nil, candidates: [String: FieldValue]? = nil) {
        self.field = field
        self.status = status
        self.value = value
        self.candidates = candidates
    }
}

/// One side of a conflict: who wrote it and what they had seen.
public struct ConflictSide: Codable, Sendable, Hashable {
    public var replica: ReplicaID
    public var deviceId: String?
    public var worker: String?
    /// The clock of that side's latest change to the record.
    public var clock: VectorClock?
    public var deletes: Bool

    public init(replica: ReplicaID, deviceId: String?, worker: String?, clock: VectorClock?, deletes: Bool) {
        self.replica = replica
        self.deviceId = deviceId
        self.worker = worker
        self.clock = clock
        self.deletes = deletes
    }
}

/// `POST /v1/admin/conflicts/{kind}/{id}/resolve`. Exactly one of `keep`, `set`, `delete`.
public struct ResolveRequest: Codable, Sendable, Hashable {
    /// The `version` the decision was made against; a newer record is refused with 409.
    public var expectedVersion: Int64
    public var keep: ReplicaID?
    public var set: [FieldPath: FieldValue]?
    public var delete: Bool?
    public var reason: String?

    public init(expectedVersion: Int64, keep: ReplicaID? = nil, set: [FieldPath: FieldValue]? = nil, delete: Bool? = nil, reason: String? = nil) {
        self.expectedVersion = expectedVersion
        self.keep = keep
        self.set = set
        self.delete = delete
        self.reason = reason
    }

    /// The core resolution this request asks for, or `nil` unless exactly one choice is given.
    public var resolution: Resolution? {
        switch (keep, set, delete ?? false) {
        case (let replica?, nil, false): .keep(replica)
        case (nil, let values?, false): .set(values)
        case (nil, nil, true): .delete
        default: nil
        }
    }
}

/// The resolved record, as every device in scope will now pull it.
public struct ResolveResponse: Codable, Sendable, Hashable {
    public var changeId: ChangeID
    public var record: RecordEnvelope

    public init(changeId: ChangeID, record: RecordEnvelope) {
        self.changeId = changeId
        self.record = record
    }
}
