import Crypto
import Foundation
import Synchronization
import GridSyncCore
import GridSyncProtocol

/// Every rule about photo blobs, written once for every ``BlobStore``: limits, resumable
/// uploads checked chunk by chunk and as a whole, who may read, and what is garbage.
/// `Protocol/README.md`, "Photos".
public struct PhotoLibrary: Sendable {
    public let blobs: any BlobStore
    let engine: SyncEngine
    let limits: SyncLimits
    let metrics: ServerMetrics
    /// How long an unnamed blob, or an idle upload, is kept.
    let gracePeriod: TimeInterval
    /// Bytes of finished blobs: counted by each garbage collection, plus each blob finished since.
    private let storedBytes = StoredBytes()

    public init(blobs: any BlobStore, engine: SyncEngine, limits: SyncLimits, metrics: ServerMetrics, gracePeriod: Duration) {
        self.blobs = blobs
        self.engine = engine
        self.limits = limits
        self.metrics = metrics
        self.gracePeriod = Double(gracePeriod.components.seconds)
    }

    /// Refusals the routes turn into error envelopes.
    public enum Refusal: Error, Equatable {
        case tooLarge(limit: Int)
        case chunkOutOfRange(chunks: Int)
        case wrongChunkLength(expected: Int)
        case chunkDigestMismatch
        case blobDigestMismatch
        case uploadNotStarted
    }

    /// Starts (or resumes) an upload of a blob of `size` bytes, or says it is already stored:
    /// a photo the server holds costs one request.
    public func begin(_ digest: BlobDigest, size: Int, at now: Date) async throws -> BlobStatus {
        guard size <= limits.maxBlobBytes else { throw Refusal.tooLarge(limit: limits.maxBlobBytes) }
        if let stored = try await blobs.blob(digest) {
            metrics.blobsDeduplicated.increment()
            return status(of: stored)
        }
        if let upload = try await blobs.upload(digest), upload.size == size, upload.chunkSize == limits.blobChunkBytes {
            if !upload.chunks.isEmpty { metrics.uploadsResumed.increment() }
            // Every chunk arrived, but the server stopped before making the whole: make it now.
            if upload.chunks.count == BlobStatus.chunkCount(size: size, chunkSize: upload.chunkSize) {
                return try await finish(upload, at: now)
            }
            return status(of: upload)
        }
        try await blobs.startUpload(digest, size: size, chunkSize: limits.blobChunkBytes, at: now)
        return status(of: BlobUpload(digest: digest, size: size, chunkSize: limits.blobChunkBytes, chunks: [], lastActivity: now))
    }

    /// Keeps one chunk after checking it against `chunkDigest`; the last missing chunk makes
    /// the whole blob, which must hash to `digest` or every chunk of it is dropped.
    public func put(_ digest: BlobDigest, index: Int, bytes: Data, chunkDigest: BlobDigest, at now: Date) async throws -> BlobStatus {
        guard let upload = try await blobs.upload(digest) else {
            // A retried last chunk whose answer was lost: the blob is already whole.
            if let stored = try await blobs.blob(digest) { return status(of: stored) }
            throw Refusal.uploadNotStarted
        }
        let count = BlobStatus.chunkCount(size: upload.size, chunkSize: upload.chunkSize)
        guard (0..<count).contains(index) else { throw Refusal.chunkOutOfRange(chunks: count) }
        let expected = BlobStatus.range(ofChunk: index, size: upload.size, chunkSize: upload.chunkSize).count
        guard bytes.count == expected else { throw Refusal.wrongChunkLength(expected: expected) }
        guard BlobDigest(bytes: SHA256.hash(data: bytes)) == chunkDigest else {
            metrics.countDigestMismatch("chunk")
            throw Refusal.chunkDigestMismatch
        }
        if upload.chunks.contains(index) {
            metrics.chunksResent.increment()
        } else {
            try await blobs.putChunk(digest, index: index, bytes: bytes, at: now)
        }
        var held = upload
        held.chunks.insert(index)
        guard held.chunks.count == count else { return status(of: held) }
        return try await finish(held, at: now)
    }

    /// Hashes the chunks in order; a whole that is not what the name says is dropped entirely.
    private func finish(_ upload: BlobUpload, at now: Date) async throws -> BlobStatus {
        var hash = SHA256()
        for index in 0..<BlobStatus.chunkCount(size: upload.size, chunkSize: upload.chunkSize) {
            guard let bytes = try await blobs.chunk(upload.digest, index: index) else {
                // Another request finished (or dropped) the upload meanwhile.
                if let stored = try await blobs.blob(upload.digest) { return status(of: stored) }
                throw Refusal.uploadNotStarted
            }
            hash.update(data: bytes)
        }
        guard BlobDigest(bytes: hash.finalize()) == upload.digest else {
            try await blobs.discardUpload(upload.digest)
            metrics.countDigestMismatch("blob")
            throw Refusal.blobDigestMismatch
        }
        try await blobs.finish(upload.digest, at: now)
        metrics.blobBytesStored.record(Double(storedBytes.add(upload.size)))
        return BlobStatus(sha256: upload.digest, size: upload.size, chunkSize: upload.chunkSize, complete: true, missing: [])
    }

    /// A finished blob a device may read: one that a record in its scope names. Anything else
    /// (not stored, not named, named only outside the scope) is `nil`, alike, so that a
    /// guessed digest tells nothing.
    public func readable(_ digest: BlobDigest, within roots: [GridPath]) async throws -> StoredBlob? {
        guard try await engine.store.read({ try $0.isPhotoNamed(digest, within: roots) }) else { return nil }
        return try await blobs.blob(digest)
    }

    /// What ops see of a blob.
    public func details(_ digest: BlobDigest) async throws -> BlobDetails? {
        let records = try await engine.store.read { try $0.recordsNaming(digest) }
        let stored = try await blobs.blob(digest)
        let upload = stored == nil ? try await blobs.upload(digest) : nil
        guard stored != nil || upload != nil || !records.isEmpty else { return nil }
        return BlobDetails(sha256: digest, size: stored?.size, storedAt: stored?.storedAt, uploadedChunks: upload?.chunks.count, records: records)
    }

    /// What one pass of garbage collection did.
    public struct Collection: Sendable, Hashable {
        public var blobsRemoved = 0
        public var bytesFreed = 0
        public var uploadsDropped = 0
        public var bytesStored = 0
    }

    /// Drops blobs no record names and uploads left idle, once older than the grace period.
    /// The grace period covers a photo uploaded before the record naming it arrives, and a
    /// handset out of signal mid-upload.
    public func collectGarbage(at now: Date) async throws -> Collection {
        let inventory = try await blobs.inventory()
        let cutoff = now.addingTimeInterval(-gracePeriod)
        var collection = Collection()
        let old = inventory.blobs.filter { $0.storedAt < cutoff }
        let named = old.isEmpty ? [] : try await engine.store.read { [old] in try $0.namedPhotos(among: old.map(\.digest)) }
        for blob in inventory.blobs {
            if blob.storedAt < cutoff && !named.contains(blob.digest) {
                try await blobs.remove(blob.digest)
                collection.blobsRemoved += 1
                collection.bytesFreed += blob.size
            } else {
                collection.bytesStored += blob.size
            }
        }
        for upload in inventory.uploads where upload.lastActivity < cutoff {
            try await blobs.discardUpload(upload.digest)
            collection.uploadsDropped += 1
        }
        storedBytes.set(collection.bytesStored)
        metrics.blobBytesStored.record(Double(collection.bytesStored))
        return collection
    }

    private func status(of stored: StoredBlob) -> BlobStatus {
        BlobStatus(sha256: stored.digest, size: stored.size, chunkSize: limits.blobChunkBytes, complete: true, missing: [])
    }

    private func status(of upload: BlobUpload) -> BlobStatus {
        let count = BlobStatus.chunkCount(size: upload.size, chunkSize: upload.chunkSize)
        return BlobStatus(sha256: upload.digest, size: upload.size, chunkSize: upload.chunkSize, complete: false,
                          missing: (0..<count).filter { !upload.chunks.contains($0) })
    }
}

/// The gauge's running figure, shared by every copy of the library.
private final class StoredBytes: Sendable {
    private let bytes = Mutex(0)

    func add(_ amount: Int) -> Int { bytes.withLock { $0 += amount; return $0 } }
    func set(_ amount: Int) { bytes.withLock { $0 = amount } }
}
