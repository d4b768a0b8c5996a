import Crypto
import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

/// Unsent work carried from one handset to another: a swapped or re-installed terminal
/// imports it and sends it as its own. The changes keep their ids and dots, so whatever the
/// old handset had already delivered is recognised as a duplicate, not applied twice. The
/// photos those changes name and the server does not have yet travel with them, bytes and
/// all: a re-install must not leave a record naming a photo nobody holds.
public struct OutboxExport: Codable, Sendable, Hashable {
    /// 2 since photos travel too; a version 1 export (changes only) still imports.
    public var version = 2
    public var deviceID: String?
    public var changes: [Change]
    public var photos: [ExportedPhoto]?
}

/// A photo not yet uploaded, in an ``OutboxExport``.
public struct ExportedPhoto: Codable, Sendable, Hashable {
    public var sha256: String
    public var takenAt: Date
    /// Written as base64 in the export's JSON.
    public var bytes: Data

    public init(sha256: String, takenAt: Date, bytes: Data) {
        self.sha256 = sha256
        self.takenAt = takenAt
        self.bytes = bytes
    }

    enum CodingKeys: String, CodingKey { case sha256, takenAt, bytes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sha256 = try container.decode(String.self, forKey: .sha256)
        takenAt = try container.decode(Date.self, forKey: .takenAt)
        guard let bytes = Data(base64Encoded: try container.decode(String.self, forKey: .bytes)) else {
            throw DecodingError.dataCorruptedError(forKey: .bytes, in: container, debugDescription: "a photo's bytes are base64")
        }
        self.bytes = bytes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(takenAt, forKey: .takenAt)
        try container.encode(bytes.base64EncodedString(), forKey: .bytes)
    }
}

extension FieldClient {
    /// Every change still waiting for the server, oldest first, and every photo still waiting
    /// to be uploaded.
    public func exportOutbox() throws -> Data {
        var export = try pool.read { db in
            OutboxExport(deviceID: try Meta.deviceID.get(db), changes: try Outbox.oldest(Int.max, db).map(\.change), photos: [])
        }
        for (digest, takenAt) in try pool.read(PhotoQueue.notUploaded) {
            // A photo whose file is gone cannot travel; the server will list it as missing.
            guard let bytes = photoFiles.read(digest) else { continue }
            export.photos?.append(ExportedPhoto(sha256: digest.hex, takenAt: takenAt, bytes: bytes))
        }
        return try WireCoding.encode(export)
    }

    /// Queues an export's changes here and shows them in the local replica, and queues its
    /// photos for upload. Importing twice adds nothing. Returns how many changes were new.
    /// A photo that does not hash to its name refuses the whole import: the file is damaged.
    @discardableResult
    public func importOutbox(_ data: Data) throws -> Int {
        let export: OutboxExport
        do {
            export = try WireCoding.decode(OutboxExport.self, from: data)
        } catch {
            throw FieldClientError(.invalid, "not an outbox export from a GridSync handset")
        }
        var photos: [(BlobDigest, ExportedPhoto)] = []
        for photo in export.photos ?? [] {
            guard let digest = BlobDigest(photo.sha256), BlobDigest(bytes: SHA256.hash(data: photo.bytes)) == digest else {
                throw FieldClientError(.invalid, "the outbox export is damaged: a photo does not match its hash; nothing was imported")
            }
            photos.append((digest, photo))
        }
        // Files first: a photo row is never there without its bytes.
        for (digest, photo) in photos { try photoFiles.write(photo.bytes, as: digest) }
        let now = configuration.now()
        return try pool.write { [rows] db in
            for (digest, photo) in photos { try PhotoQueue.add(digest, byteCount: photo.bytes.count, takenAt: photo.takenAt, db) }
            var added = 0
            for change in export.changes {
                try Outbox.append(change, at: now, db)
                guard db.changesCount > 0 else { continue }
                added += 1
                var row = try RecordRow.fetch(change.record, db, cache: rows) ?? RecordRow(key: change.record, serverState: nil, state: RecordState())
                row.state.apply(change)
                try row.save(db, cache: rows)
            }
            // A photo no imported change names was named by one the old handset had already
            // delivered: the server holds its record, so it may go at once.
            for (digest, _) in photos { try PhotoQueue.readyNow(digest, db) }
            return added
        }
    }
}
