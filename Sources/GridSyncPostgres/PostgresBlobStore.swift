import Foundation
import GridSyncCore
import GridSyncProtocol
import GridSyncServer
import Logging
import NIOCore
import PostgresNIO

/// Photos inside PostgreSQL, in chunks, so that every server instance sharing the database
/// serves every photo. A finished blob keeps the chunks it was uploaded in (`blob` names the
/// chunk size); an unfinished upload is a `blob_upload` row and the chunks that arrived.
///
/// Each statement is atomic on its own, and `finish` is one statement, so a crash leaves a
/// chunk or a blob whole or absent. Chunks of a finished blob are never overwritten: a chunk
/// insert that finds one does nothing.
public struct PostgresBlobStore: BlobStore {
    let client: PostgresClient
    let logger: Logger

    public func blob(_ digest: BlobDigest) async throws -> StoredBlob? {
        try await rows("SELECT size, stored_at FROM blob WHERE digest = \(digest.hex)").first.map { row in
            StoredBlob(digest: digest, size: Int(try row["size"].decode(Int64.self)),
                       storedAt: Date(timeIntervalSince1970: try row["stored_at"].decode(Double.self)))
        }
    }

    public func upload(_ digest: BlobDigest) async throws -> BlobUpload? {
        guard let row = try await rows("SELECT size, chunk_size, last_activity FROM blob_upload WHERE digest = \(digest.hex)").first else {
            return nil
        }
        let chunks = try await rows("SELECT chunk FROM blob_chunk WHERE digest = \(digest.hex)").map { Int(try $0["chunk"].decode(Int32.self)) }
        return BlobUpload(digest: digest, size: Int(try row["size"].decode(Int64.self)), chunkSize: Int(try row["chunk_size"].decode(Int32.self)),
                          chunks: Set(chunks), lastActivity: Date(timeIntervalSince1970: try row["last_activity"].decode(Double.self)))
    }

    public func startUpload(_ digest: BlobDigest, size: Int, chunkSize: Int, at: Date) async throws {
        if let held = try await upload(digest), held.size == size, held.chunkSize == chunkSize { return }
        try await rows("""
            WITH dropped AS (DELETE FROM blob_chunk WHERE digest = \(digest.hex) AND NOT EXISTS (SELECT 1 FROM blob WHERE digest = \(digest.hex)))
            INSERT INTO blob_upload (digest, size, chunk_size, last_activity) VALUES (\(digest.hex), \(Int64(size)), \(Int32(chunkSize)), \(at.timeIntervalSince1970))
            ON CONFLICT (digest) DO UPDATE SET size = excluded.size, chunk_size = excluded.chunk_size, last_activity = excluded.last_activity
            """)
    }

    public func putChunk(_ digest: BlobDigest, index: Int, bytes: Data, at: Date) async throws {
        let updated = try await rows("""
            WITH touched AS (UPDATE blob_upload SET last_activity = \(at.timeIntervalSince1970) WHERE digest = \(digest.hex) RETURNING digest)
            INSERT INTO blob_chunk (digest, chunk, bytes) SELECT digest, \(Int32(index)), \(ByteBuffer(bytes: bytes)) FROM touched
            ON CONFLICT DO NOTHING RETURNING chunk
            """)
        if updated.isEmpty, try await upload(digest) == nil { throw StoreError(.notFound) }
    }

    public func chunk(_ digest: BlobDigest, index: Int) async throws -> Data? {
        try await rows("SELECT bytes FROM blob_chunk WHERE digest = \(digest.hex) AND chunk = \(Int32(index))").first.map { row in
            Data(buffer: try row["bytes"].decode(ByteBuffer.self))
        }
    }

    public func finish(_ digest: BlobDigest, at: Date) async throws {
        try await rows("""
            WITH finished AS (DELETE FROM blob_upload WHERE digest = \(digest.hex) RETURNING digest, size, chunk_size)
            INSERT INTO blob (digest, size, chunk_size, stored_at) SELECT digest, size, chunk_size, \(at.timeIntervalSince1970) FROM finished
            ON CONFLICT DO NOTHING
            """)
    }

    public func discardUpload(_ digest: BlobDigest) async throws {
        try await rows("""
            WITH dropped AS (DELETE FROM blob_upload WHERE digest = \(digest.hex) RETURNING digest)
            DELETE FROM blob_chunk WHERE digest = \(digest.hex) AND NOT EXISTS (SELECT 1 FROM blob WHERE digest = \(digest.hex))
            """)
    }

    public func read(_ digest: BlobDigest, range: Range<Int>) async throws -> Data {
        guard let row = try await rows("SELECT size, chunk_size FROM blob WHERE digest = \(digest.hex)").first else { throw StoreError(.notFound) }
        let size = Int(try row["size"].decode(Int64.self)), chunkSize = Int(try row["chunk_size"].decode(Int32.self))
        let wanted = range.clamped(to: 0..<size)
        guard !wanted.isEmpty else { return Data() }
        let first = wanted.lowerBound / chunkSize, last = (wanted.upperBound - 1) / chunkSize
        var bytes = Data()
        for row in try await rows("""
            SELECT bytes FROM blob_chunk WHERE digest = \(digest.hex) AND chunk BETWEEN \(Int32(first)) AND \(Int32(last)) ORDER BY chunk
            """) {
            bytes.append(Data(buffer: try row["bytes"].decode(ByteBuffer.self)))
        }
        let offset = wanted.lowerBound - first * chunkSize
        return bytes.subdata(in: offset..<min(offset + wanted.count, bytes.count))
    }

    public func remove(_ digest: BlobDigest) async throws {
        try await rows("""
            WITH removed AS (DELETE FROM blob WHERE digest = \(digest.hex) RETURNING digest)
            DELETE FROM blob_chunk WHERE digest IN (SELECT digest FROM removed)
            """)
    }

    public func inventory() async throws -> BlobInventory {
        let blobs = try await rows("SELECT digest, size, stored_at FROM blob ORDER BY digest").compactMap { row -> StoredBlob? in
            guard let digest = BlobDigest(try row["digest"].decode(String.self)) else { return nil }
            return StoredBlob(digest: digest, size: Int(try row["size"].decode(Int64.self)),
                              storedAt: Date(timeIntervalSince1970: try row["stored_at"].decode(Double.self)))
        }
        var uploads: [BlobUpload] = []
        for text in try await rows("SELECT digest FROM blob_upload ORDER BY digest").map({ try $0["digest"].decode(String.self) }) {
            if let digest = BlobDigest(text), let upload = try await upload(digest) { uploads.append(upload) }
        }
        return BlobInventory(blobs: blobs, uploads: uploads)
    }

    @discardableResult
    private func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        do {
            return try await client.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
        } catch {
            throw PostgresStore.translated(error)
        }
    }
}
