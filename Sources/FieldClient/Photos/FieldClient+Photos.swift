import Crypto
import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

/// What one ``FieldClient/uploadPhotos()`` did.
public struct PhotoUploadReport: Sendable, Hashable {
    /// Photos now on the server (sent, or found there already).
    public var uploaded = 0
    /// Of those, photos the server already held: nothing sent.
    public var deduplicated = 0
    /// Uploads that found part of the photo on the server already, after a cut.
    public var resumed = 0
    /// Chunk bytes the server answered for (attempts cut off on the way are not counted).
    public var bytesSent = 0
    /// Photos refused for good (see ``SyncStatus/lastPhotoError``).
    public var failed = 0
    /// Set when the server asked photos to wait (it is busy with a sync storm and serves
    /// records first): the rest of the queue is left for a call after this long, or for the
    /// next sync. Not an error: nothing is noted in ``SyncStatus/lastPhotoError``.
    public var deferredFor: Duration?
}

extension FieldClient {
    /// Keeps a photo on the handset and queues it for upload, returning the reference to put in
    /// a patrol or work order. The photo goes once the change naming it has been pushed.
    public func takePhoto(_ bytes: Data, findingID: RecordID? = nil) async throws -> PhotoReference {
        if let limit = try identity?.limits.maxBlobBytes, bytes.count > limit {
            throw FieldClientError(.invalid, "the photo is \(bytes.count) bytes; the server takes at most \(limit): take it at a lower resolution")
        }
        let digest = BlobDigest(bytes: SHA256.hash(data: bytes))
        try photoFiles.write(bytes, as: digest)
        let takenAt = configuration.now()
        try await pool.write { db in try PhotoQueue.add(digest, byteCount: bytes.count, takenAt: takenAt, db) }
        let id = try RecordID(configuration.makeChangeID()).orThrow("the id source produced an invalid id")
        return PhotoReference(id: id, findingID: findingID, uri: "photo:" + digest.hex, sha256: digest.hex)
    }

    /// Uploads every photo whose record the server holds, oldest first, each resuming where
    /// the last attempt was cut. Safe to stop at any byte: the server keeps whole chunks, and
    /// the next call asks which it lacks. Run it after ``sync()``: records never wait for photos.
    @discardableResult
    public func uploadPhotos() async throws -> PhotoUploadReport {
        let identity = try requireIdentity()
        var report = PhotoUploadReport()
        var retries = SyncReport()
        if let until = photosDeferredUntil, case let now = ContinuousClock.now, now < until {
            // Asked to wait a moment ago: no request until then.
            report.deferredFor = until - now
            return report
        }
        do {
            try await noting(.lastPhotoError, failure: "photo upload failed") {
                while let next = try await pool.read(PhotoQueue.next) {
                    try await upload(next, identity, report: &report, retries: &retries)
                }
            }
        } catch let pause as ServerPause {
            photosDeferredUntil = ContinuousClock.now + pause.retryAfter
            report.deferredFor = pause.retryAfter
            return report
        }
        photosDeferredUntil = nil
        try await evictPhotos()
        return report
    }

    private func upload(_ photo: PhotoQueue.Pending, _ identity: DeviceIdentity, report: inout PhotoUploadReport,
                        retries: inout SyncReport) async throws {
        let path = "/v1/blobs/\(photo.digest.hex)"
        // Each upload request goes on a fresh connection, because the server closes every
        // upload answer's (`Connection: close`): libcurl retries a request whose reused
        // connection died and cannot rewind its body, so a cut there would hang to the timeout.
        var restarts = 0
        while true {
            let begin = try WireCoding.encode(BlobUploadRequest(size: photo.byteCount))
            let (response, answer) = try await exchange("POST", path, body: begin, token: identity.token,
                                                        expecting: BlobStatus.self, valid: { $0.sha256 == photo.digest },
                                                        waitsOutPauses: false, report: &retries)
            guard var status = answer else {
                if response.status == 413 { return try await fail(photo, response, report: &report) }
                if let pause = ServerPause(response) { throw pause }
                throw Self.refusal(response)
            }
            let chunks = BlobStatus.chunkCount(size: status.size, chunkSize: status.chunkSize)
            if status.complete { report.deduplicated += 1 }
            if !status.complete && status.missing.isEmpty {
                guard restarts < 3 else { throw FieldClientError(.server, "the server lists no chunk missing of an unfinished photo") }
                restarts += 1
            }
            if !status.complete && status.missing.count < chunks { report.resumed += 1 }
            for index in status.missing {
                try await confirmProgress(photo, status)
                let range = BlobStatus.range(ofChunk: index, size: status.size, chunkSize: status.chunkSize)
                let bytes = try photoFiles.read(photo.digest, range: range)
                let checksum = Data(SHA256.hash(data: bytes)).base64EncodedString()
                let response = try await exchange("PUT", "\(path)/chunks/\(index)", body: bytes, token: identity.token,
                                                  headers: ["Content-Type": "application/octet-stream", "Content-Digest": "sha-256=:\(checksum):"],
                                                  waitsOutPauses: false, report: &retries)
                if let pause = ServerPause(response) { throw pause }
                report.bytesSent += bytes.count
                guard response.status == 200, let answer = try? WireCoding.decode(BlobStatus.self, from: response.body) else {
                    let error = try? WireCoding.decode(ErrorEnvelope.self, from: response.body).error
                    if error?.code == .digestMismatch && error?.field == "sha256" {
                        // The file no longer hashes to its name: the handset's storage damaged it.
                        return try await fail(photo, response, report: &report)
                    }
                    // Dropped by the server (abandoned, or a chunk damaged on the way): ask again.
                    guard [409, 422].contains(response.status), restarts < 3 else { throw Self.refusal(response) }
                    restarts += 1
                    break
                }
                status = answer
            }
            if status.complete {
                let now = configuration.now()
                try await pool.write { db in try PhotoQueue.uploaded(photo.digest, at: now, db) }
                report.uploaded += 1
                return
            }
        }
    }

    private func confirmProgress(_ photo: PhotoQueue.Pending, _ status: BlobStatus) async throws {
        let missing = status.missing.reduce(0) { $0 + BlobStatus.range(ofChunk: $1, size: status.size, chunkSize: status.chunkSize).count }
        try await pool.write { db in try PhotoQueue.confirm(photo.digest, bytes: status.size - missing, db) }
    }

    private func fail(_ photo: PhotoQueue.Pending, _ response: TransportResponse, report: inout PhotoUploadReport) async throws {
        let message = Self.refusal(response).message
        try await pool.write { db in try PhotoQueue.fail(photo.digest, reason: message, db) }
        report.failed += 1
        logger.notice("photo refused for good", metadata: ["sha256": .string(photo.digest.hex), "status": .stringConvertible(response.status)])
    }

    /// A photo's bytes: from the handset when it still has them, otherwise downloaded (only
    /// photos that a record in this handset's grids names are served) in chunk-sized ranges,
    /// so that a cut download resumes, then checked against the name and kept.
    public func photo(_ digest: BlobDigest) async throws -> Data {
        if try await pool.read({ db in try PhotoQueue.isStored(digest, db) }), let bytes = photoFiles.read(digest) { return bytes }
        let identity = try requireIdentity()
        var retries = SyncReport()
        let partial = photoFiles.partialURL(digest)
        if !FileManager.default.fileExists(atPath: partial.path) { _ = FileManager.default.createFile(atPath: partial.path, contents: nil) }
        let step = identity.limits.blobChunkBytes
        while true {
            let have = ((try? FileManager.default.attributesOfItem(atPath: partial.path))?[.size] as? NSNumber)?.intValue ?? 0
            let response = try await exchange("GET", "/v1/blobs/\(digest.hex)", body: nil, token: identity.token,
                                              headers: ["Range": "bytes=\(have)-\(have + step - 1)"], report: &retries)
            switch response.status {
            case 206:
                let handle = try FileHandle(forWritingTo: partial)
                try handle.seekToEnd()
                try handle.write(contentsOf: response.body)
                try handle.close()
                let total = response.headers["content-range"].flatMap { $0.split(separator: "/").last }.flatMap { Int($0) } ?? 0
                guard have + response.body.count >= total else { continue }
            case 416:
                // Nothing left to ask for: everything is here (or the photo is empty).
                break
            case 404:
                throw FieldClientError(.notFound, "this photo is not on the server for your grids (not uploaded yet, or outside them)")
            default:
                throw Self.refusal(response)
            }
            let bytes = try Data(contentsOf: partial)
            try? FileManager.default.removeItem(at: partial)
            guard BlobDigest(bytes: SHA256.hash(data: bytes)) == digest else {
                throw FieldClientError(.server, "the photo arrived damaged: try again")
            }
            try photoFiles.write(bytes, as: digest)
            let now = configuration.now()
            try await pool.write { db in try PhotoQueue.downloaded(digest, byteCount: bytes.count, at: now, db) }
            return bytes
        }
    }

    /// Keeps a photo's bytes on the handset however old (`true`), or lets them go again.
    public func pinPhoto(_ digest: BlobDigest, _ pinned: Bool = true) async throws {
        try await pool.write { db in try PhotoQueue.pin(digest, pinned, db) }
    }

    /// Deletes the bytes of photos the server holds that are older than the retention and not
    /// pinned. They stay viewable through ``photo(_:)``, which downloads them again.
    public func evictPhotos() async throws {
        let cutoff = configuration.now().addingTimeInterval(-Double(configuration.photoRetention.components.seconds))
        let files = photoFiles
        try await pool.write { db in
            for digest in try PhotoQueue.evictable(before: cutoff, db) {
                try PhotoQueue.evicted(digest, db)
                files.remove(digest)
            }
        }
    }
}
