import Foundation
import GridSyncCore

/// `POST /v1/blobs/{sha256}`: a handset says it holds a blob of `size` bytes and asks what the
/// server still lacks. `Protocol/README.md`, "Photos".
public struct BlobUploadRequest: Codable, Sendable, Hashable {
    public var size: Int
    public init(size: Int) { self.size = size }
}

/// What the server holds of a blob: the answer to starting an upload and to every chunk.
/// Chunk `i` is bytes `i × chunkSize ..< min((i + 1) × chunkSize, size)`.
public struct BlobStatus: Codable, Sendable, Hashable {
    public var sha256: BlobDigest
    public var size: Int
    public var chunkSize: Int
    /// The server holds the whole blob, checked against `sha256`: nothing more to send.
    public var complete: Bool
    /// The chunks still to send, in ascending order; empty once complete.
    public var missing: [Int]

    public init(sha256: BlobDigest, size: Int, chunkSize: Int, complete: Bool, missing: [Int]) {
        self.sha256 = sha256
        self.size = size
        self.chunkSize = chunkSize
        self.complete = complete
        self.missing = missing
    }

    /// How many chunks a blob of `size` bytes is cut into (an empty blob is one empty chunk).
    public static func chunkCount(size: Int, chunkSize: Int) -> Int {
        max(1, (size + chunkSize - 1) / chunkSize)
    }

    /// The byte range chunk `index` covers.
    public static func range(ofChunk index: Int, size: Int, chunkSize: Int) -> Range<Int> {
        let start = index * chunkSize
        return start..<min(start + chunkSize, size)
    }
}

/// `GET /v1/admin/blobs/{sha256}`: a stored blob and the records that name it.
public struct BlobDetails: Codable, Sendable, Hashable {
    public var sha256: BlobDigest
    /// `nil` while the blob is not (or not yet completely) uploaded.
    public var size: Int?
    public var storedAt: Date?
    /// Chunks received of an unfinished upload.
    public var uploadedChunks: Int?
    public var records: [RecordKey]

    public init(sha256: BlobDigest, size: Int?, storedAt: Date?, uploadedChunks: Int?, records: [RecordKey]) {
        self.sha256 = sha256
        self.size = size
        self.storedAt = storedAt
        self.uploadedChunks = uploadedChunks
        self.records = records
    }
}
