import Crypto
import Foundation
import GridSyncTestSupport
import GridSyncCore
import GridSyncPostgres
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// The `BlobStore` contract, checked the same way on every store: files beside SQLite, and
/// chunks in PostgreSQL (when `GRIDSYNC_TEST_POSTGRES` names a server).
@Suite("Blob store conformance")
struct BlobStoreConformanceTests {
    /// A blob store of `kind` on a fresh folder or database.
    static func open(_ kind: StoreKind) async throws -> (blobs: any BlobStore, close: @Sendable () async -> Void) {
        let opened = try await TestStore.open(kind)
        return (try opened.store.defaultBlobStore(), { await opened.close() })
    }

    static func bytes(_ count: Int, seed: UInt64) -> Data {
        var random = SplitMix64(seed: seed)
        return Data((0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) })
    }

    @Test("an upload is kept chunk by chunk, finished whole, read by range, listed, and removed", arguments: StoreKind.available)
    func lifecycle(kind: StoreKind) async throws {
        let (blobs, close) = try await Self.open(kind)
        let data = Self.bytes(2_500, seed: 1)
        let digest = BlobDigest(bytes: SHA256.hash(data: data))
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(try await blobs.blob(digest) == nil)
        #expect(try await blobs.upload(digest) == nil)

        try await blobs.startUpload(digest, size: data.count, chunkSize: 1_000, at: now)
        try await blobs.putChunk(digest, index: 2, bytes: data.subdata(in: 2_000..<2_500), at: now)
        try await blobs.putChunk(digest, index: 0, bytes: data.subdata(in: 0..<1_000), at: now)
        // Again, with other bytes: the first stays (chunks are written once).
        try await blobs.putChunk(digest, index: 0, bytes: Data(repeating: 0, count: 1_000), at: now)
        var upload = try #require(try await blobs.upload(digest))
        #expect(upload.chunks == [0, 2] && upload.size == 2_500 && upload.chunkSize == 1_000)
        #expect(try await blobs.chunk(digest, index: 0) == data.subdata(in: 0..<1_000))
        #expect(try await blobs.chunk(digest, index: 1) == nil)

        // Starting again with the same plan keeps what arrived.
        try await blobs.startUpload(digest, size: data.count, chunkSize: 1_000, at: now)
        upload = try #require(try await blobs.upload(digest))
        #expect(upload.chunks == [0, 2])

        try await blobs.putChunk(digest, index: 1, bytes: data.subdata(in: 1_000..<2_000), at: now)
        try await blobs.finish(digest, at: now)
        try await blobs.finish(digest, at: now)
        #expect(try await blobs.upload(digest) == nil)
        let stored = try #require(try await blobs.blob(digest))
        #expect(stored.size == 2_500)
        #expect(try await blobs.read(digest, range: 0..<2_500) == data)
        #expect(try await blobs.read(digest, range: 999..<2_001) == data.subdata(in: 999..<2_001))
        #expect(try await blobs.read(digest, range: 2_400..<9_000) == data.subdata(in: 2_400..<2_500))
        #expect(try await blobs.inventory().blobs.map(\.digest) == [digest])

        try await blobs.remove(digest)
        try await blobs.remove(digest)
        #expect(try await blobs.blob(digest) == nil)
        #expect(try await blobs.inventory() == BlobInventory(blobs: [], uploads: []))
        await close()
    }

    @Test("a new plan (size or chunk size) starts over; a discarded upload leaves nothing; chunks need a started upload",
          arguments: StoreKind.available)
    func replans(kind: StoreKind) async throws {
        let (blobs, close) = try await Self.open(kind)
        let digest = BlobDigest(String(repeating: "0f", count: 32))!
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        await #expect(throws: StoreError.self) { try await blobs.putChunk(digest, index: 0, bytes: Data([1]), at: now) }
        try await blobs.startUpload(digest, size: 10, chunkSize: 4, at: now)
        try await blobs.putChunk(digest, index: 0, bytes: Data([1, 2, 3, 4]), at: now)
        try await blobs.startUpload(digest, size: 10, chunkSize: 5, at: now)
        let upload = try #require(try await blobs.upload(digest))
        #expect(upload.chunks.isEmpty && upload.chunkSize == 5)
        try await blobs.putChunk(digest, index: 1, bytes: Data([6, 7, 8, 9, 10]), at: now)
        #expect(try await blobs.inventory().uploads.map(\.chunks) == [[1]])
        try await blobs.discardUpload(digest)
        #expect(try await blobs.upload(digest) == nil)
        #expect(try await blobs.chunk(digest, index: 1) == nil)
        #expect(try await blobs.inventory() == BlobInventory(blobs: [], uploads: []))
        await close()
    }
}
