import Foundation
import GRDB
import GridSyncCore

/// What a status screen shows: is everything sent, when did sync last work, and what needs a
/// person's attention.
public struct SyncStatus: Sendable {
    public let pendingChanges: Int
    public let lastSuccessfulSync: Date?
    /// A human-readable reason the last sync did not finish, cleared by the next success.
    public let lastError: String?
    public let rejected: [RejectedChange]
    /// Records waiting for the command centre.
    public let openConflicts: [RecordKey]
    public let bytesSent: Int
    public let bytesReceived: Int
    /// Photos not yet on the server, and their bytes the server does not hold yet.
    public let photosPending: Int
    public let photoBytesPending: Int
    /// Why the last photo upload stopped, cleared once a photo goes through.
    public let lastPhotoError: String?
}

/// A change the server refused for good, parked with its reason: never retried, never dropped.
public struct RejectedChange: Sendable, Hashable {
    public let change: Change
    public let code: String
    public let message: String
    public let field: String?
    public let rejectedAt: Date
}

/// What one ``FieldClient/sync()`` did.
public struct SyncReport: Sendable, Hashable {
    public var pushed = 0
    public var rejected = 0
    public var pulledRecords = 0
    public var purgedRecords = 0
    public var retries = 0
    public var conflicts = 0
    /// The server started this handset's pull afresh (it was restored from a backup, or the
    /// handset was silent past the purge limit); its acknowledged changes went back into the
    /// outbox and were pushed again.
    public var rebased = false
    /// How many acknowledged changes went back for a rebase.
    public var requeued = 0
    /// Records erased on request (PIPL), by pull or by a push answered `erased`.
    public var erased = 0
}

extension FieldClient {
    public func status() throws -> SyncStatus {
        let unsaved = unsavedBytes
        return try pool.read { db in
            let rejected = try Row.fetchAll(db, sql: "SELECT body, code, message, field, rejected_at FROM rejected ORDER BY rejected_at")
                .map { row in
                    RejectedChange(change: try LocalCoding.decode(Change.self, row["body"]), code: row["code"], message: row["message"],
                                   field: row["field"], rejectedAt: Date(timeIntervalSince1970: row["rejected_at"]))
                }
            let conflicts = try Row.fetchAll(db, sql: "SELECT kind, id FROM record WHERE in_conflict = 1 ORDER BY kind, id").compactMap { row in
                RecordKind(rawValue: row["kind"]).flatMap { kind in RecordID(row["id"]).map { RecordKey(kind: kind, id: $0) } }
            }
            let photos = try PhotoQueue.backlog(db)
            return SyncStatus(
                pendingChanges: try Outbox.count(db),
                lastSuccessfulSync: try Meta.lastSyncAt.get(db).flatMap(Double.init).map(Date.init(timeIntervalSince1970:)),
                lastError: try Meta.lastError.get(db), rejected: rejected, openConflicts: conflicts,
                bytesSent: (Int(try Meta.bytesSent.get(db) ?? "0") ?? 0) + unsaved.sent,
                bytesReceived: (Int(try Meta.bytesReceived.get(db) ?? "0") ?? 0) + unsaved.received,
                photosPending: photos.photos, photoBytesPending: photos.bytes, lastPhotoError: try Meta.lastPhotoError.get(db))
        }
    }
}
