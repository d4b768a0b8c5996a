import Foundation
import GridSyncCore

/// Where photo bytes live: blobs named by their SHA-256, and the chunks of uploads not yet
/// finished. As narrow as bytes can be: every rule (limits, checking each chunk and the whole
/// blob against its digest, who may read, what is garbage) lives in ``PhotoLibrary``, written
/// once for every store. `Tests/GridSyncServerTests/Blobs` holds the conformance suite.
///
/// ## The contract
/// - **Atomic.** A chunk and a finished blob are each there whole or not at all, whatever
///   dies when: a reader never sees part of one.
/// - **Durable before answered: the finished blob.** `finish` returns once the blob is durable,
///   since a handset may then delete its copy. A chunk need not be: the check of the whole
///   against its name catches a chunk a power cut damaged, and the upload starts over.
/// - **Idempotent.** Putting a chunk again, finishing a finished blob or removing a missing
///   one changes nothing, so that two uploads of one photo (two devices, or one retrying) and
///   two server instances can race harmlessly.
public protocol BlobStore: Sendable {
    /// A finished blob, if it is stored.
    func blob(_ digest: BlobDigest) async throws -> StoredBlob?
    /// An unfinished upload, if one is held.
    func upload(_ digest: BlobDigest) async throws -> BlobUpload?
    /// Starts an upload, or starts it over when one of another size or chunk size is held.
    func startUpload(_ digest: BlobDigest, size: Int, chunkSize: Int, at: Date) async throws
    /// Keeps one chunk of an upload that was started.
    func putChunk(_ digest: BlobDigest, index: Int, bytes: Data, at: Date) async throws
    /// One chunk of an upload, for checking the whole before it is finished.
    func chunk(_ digest: BlobDigest, index: Int) async throws -> Data?
    /// Makes the upload's chunks, in order, the finished blob, and lets the upload go.
    func finish(_ digest: BlobDigest, at: Date) async throws
    /// Drops an upload and its chunks.
    func discardUpload(_ digest: BlobDigest) async throws
    /// Bytes `range` of a finished blob (clamped to its size).
    func read(_ digest: BlobDigest, range: Range<Int>) async throws -> Data
    /// Drops a finished blob.
    func remove(_ digest: BlobDigest) async throws
    /// Everything held, for garbage collection and the metrics.
    func inventory() async throws -> BlobInventory
}

/// A finished blob.
public struct StoredBlob: Sendable, Hashable {
    public var digest: BlobDigest
    public var size: Int
    public var storedAt: Date

    public init(digest: BlobDigest, size: Int, storedAt: Date) {
        self.digest = digest
        self.size = size
        self.storedAt = storedAt
    }
}

/// An unfinished upload: its declared size, the chunk size it was cut with and what arrived.
public struct BlobUpload: Sendable, Hashable {
    public var digest: BlobDigest
    public var size: Int
    public var chunkSize: Int
    public var chunks: Set<Int>
    /// When the last chunk arrived (or the upload started): an upload idle past the grace
    /// period is abandoned.
    public var lastActivity: Date

    public init(digest: BlobDigest, size: Int, chunkSize: Int, chunks: Set<Int>, lastActivity: Date) {
        self.digest = digest
        self.size = size
        self.chunkSize = chunkSize
        self.chunks = chunks
        self.lastActivity = lastActivity
    }
}

public struct BlobInventory: Sendable, Hashable {
    public var blobs: [StoredBlob]
    public var uploads: [BlobUpload]

    public init(blobs: [StoredBlob], uploads: [BlobUpload]) {
        self.blobs = blobs
        self.uploads = uploads
    }
}
