import Crypto
import Foundation
import GridSyncAdmin
@testable import FieldClient
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import GridSyncSimulation
import HTTPTypes
import NIOCore
import Synchronization
import Testing

/// Photos against a real server over loopback: resumable, content-addressed, scoped. Cuts go
/// through a real TCP proxy (`LinkProxy`), so the server sees a body stop mid-way.
@Suite("Photos")
struct PhotoTests {
    /// Small chunks, so that a photo of a few hundred KiB has many.
    static let limits = SyncLimits(maxBlobBytes: 2 << 20, blobChunkBytes: 32 << 10)

    static func photoBytes(_ count: Int, seed: UInt64) -> Data {
        var random = SplitMix64(seed: seed)
        return Data((0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) })
    }

    /// Takes a photo, names it in a new patrol and pushes the patrol.
    static func patrolWithPhoto(_ handset: FieldClient, id: String, bytes: Data, grid: GridPath = LiveServer.gridA) async throws -> PhotoReference {
        let photo = try await handset.takePhoto(bytes)
        var patrol = Sample.patrol(id, grid: grid)
        patrol.photos = [photo]
        try await handset.create(patrol)
        try await handset.sync()
        return photo
    }

    @Test("an upload cut at random bytes resumes, and each cut costs at most one chunk")
    func cutsResume() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run(limits: Self.limits) { session in
            let proxy = try await LinkProxy.start(to: session.baseURL.port!)
            let counting = ChunkCounter(URLSessionTransport(baseURL: URL(string: "http://127.0.0.1:\(proxy.port)")!))
            let handset = try await session.handset("cut", worker: "zhang.wei", grids: [LiveServer.gridA], transport: counting,
                                                    retry: RetryPolicy(maxAttempts: 20))
            let bytes = Self.photoBytes(600_000, seed: 3)
            let photo = try await Self.patrolWithPhoto(handset, id: "pa-cut", bytes: bytes)
            // Five cuts, each after a random number of further bytes up the link.
            var random = SplitMix64(seed: 11)
            let cuts = (0..<5).map { _ in Int(random.next() % 150_000) + 1 }
            proxy.scriptCuts(cuts)
            let report = try await handset.uploadPhotos()
            #expect(report.uploaded == 1)
            #expect(proxy.tally.cuts == 5)
            let resent = counting.sent - bytes.count
            #expect(resent >= 0 && resent <= 5 * Self.limits.blobChunkBytes, "re-sent \(resent) bytes over 5 cuts")
            let stored = try #require(try await server.storedBlob(photo))
            #expect(stored == bytes)
            #expect(try await handset.status().photosPending == 0)
            await proxy.stop()
        }
    }

    @Test("a handset killed mid-upload resumes after restart, sending only what the server lacks")
    func killedResumes() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run(limits: Self.limits) { session in
            let proxy = try await LinkProxy.start(to: session.baseURL.port!)
            let viaProxy = URLSessionTransport(baseURL: URL(string: "http://127.0.0.1:\(proxy.port)")!)
            let bytes = Self.photoBytes(400_000, seed: 5)
            var handset: FieldClient? = try await session.handset("killed", worker: "zhang.wei", grids: [LiveServer.gridA],
                                                                   transport: viaProxy, retry: RetryPolicy(maxAttempts: 1))
            let photo = try await Self.patrolWithPhoto(handset!, id: "pa-killed", bytes: bytes)
            // The link dies 200,000 bytes into the upload, and the app with it.
            proxy.scriptCuts([200_000])
            await #expect(throws: FieldClientError.self) { try await handset!.uploadPhotos() }
            let before = try await handset!.status()
            #expect(before.photosPending == 1 && before.lastPhotoError != nil)
            #expect(before.photoBytesPending < bytes.count, "the chunks the server confirmed are recorded")
            handset = nil

            let counting = ChunkCounter(URLSessionTransport(baseURL: session.baseURL))
            let restarted = try session.openHandset("killed", transport: counting)
            let report = try await restarted.uploadPhotos()
            #expect(report.uploaded == 1 && report.resumed == 1)
            #expect(counting.sent <= bytes.count - 200_000 + 2 * Self.limits.blobChunkBytes,
                    "sent \(counting.sent) after the restart: what the server lacked, not the whole photo")
            #expect(try await server.storedBlob(photo) == bytes)
            #expect(try await restarted.status().lastPhotoError == nil)
            await proxy.stop()
        }
    }

    @Test("a photo the server holds costs one request; a photo waits for its record, and records never wait for photos")
    func deduplicationAndOrder() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run(limits: Self.limits) { session in
            let bytes = Self.photoBytes(100_000, seed: 9)
            let first = try await session.handset("first", worker: "zhang.wei", grids: [LiveServer.gridA])
            let photo = try await first.takePhoto(bytes)
            var patrol = Sample.patrol("pa-first")
            patrol.photos = [photo]
            try await first.create(patrol)
            // Not pushed yet: the photo waits for the record that names it.
            #expect(try await first.uploadPhotos().uploaded == 0)
            #expect(try await first.status().photosPending == 1)
            let report = try await first.sync()
            #expect(report.pushed == 1)
            #expect(try await first.status().photosPending == 1, "sync pushes records only")
            #expect(try await first.uploadPhotos().uploaded == 1)

            let counting = ChunkCounter(URLSessionTransport(baseURL: session.baseURL))
            let second = try await session.handset("second", worker: "li.na", grids: [LiveServer.gridA], transport: counting)
            _ = try await Self.patrolWithPhoto(second, id: "pa-second", bytes: bytes)
            let again = try await second.uploadPhotos()
            #expect(again.uploaded == 1 && again.deduplicated == 1)
            #expect(counting.sent == 0, "no chunk sent for a photo the server holds")
            let details = try await session.admin.photoDetails(try #require(photo.sha256.flatMap(BlobDigest.init)))
            #expect(details.size == bytes.count)
            #expect(details.records.map(\.id.rawValue) == ["pa-first", "pa-second"])
        }
    }

    @Test("a device out of scope cannot download a photo, even knowing its hash; one in scope can, by range")
    func scopedDownload() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run(limits: Self.limits) { session in
            let bytes = Self.photoBytes(150_000, seed: 13)
            let clock = Mutex(Date())
            let owner = try await session.handset("owner", worker: "zhang.wei", grids: [LiveServer.gridA],
                                                  now: { clock.withLock { $0 } })
            let photo = try await Self.patrolWithPhoto(owner, id: "pa-owner", bytes: bytes)
            try await owner.uploadPhotos()
            let digest = BlobDigest(photo.sha256!)!

            let outsider = try await session.handset("outsider", worker: "li.na", grids: [LiveServer.elsewhere])
            await #expect(throws: FieldClientError(.notFound, "this photo is not on the server for your grids (not uploaded yet, or outside them)")) {
                try await outsider.photo(digest)
            }
            let raw = try await session.device(outsider, .get, "/v1/blobs/\(digest.hex)")
            let unknown = try await session.device(outsider, .get, "/v1/blobs/\(String(repeating: "0", count: 64))")
            #expect(raw.status == 404 && unknown.status == 404)
            let hidden = try raw.decode(ErrorEnvelope.self).error, absent = try unknown.decode(ErrorEnvelope.self).error
            #expect(hidden.code == absent.code && hidden.message == absent.message, "absent and out of scope answer alike")

            let neighbour = try await session.handset("neighbour", worker: "wang.fang", grids: [LiveServer.gridA])
            try await neighbour.sync()
            #expect(try await neighbour.photo(digest) == bytes)
            #expect(try await neighbour.photo(digest) == bytes, "kept after the first download")

            // The owner's copy goes once uploaded and older than the retention (3 days), unless pinned.
            try await owner.evictPhotos()
            #expect(owner.photoFiles.read(digest) == bytes, "younger than the retention")
            clock.withLock { $0 = $0.addingTimeInterval(4 * 86_400) }
            try await owner.pinPhoto(digest)
            try await owner.evictPhotos()
            #expect(owner.photoFiles.read(digest) == bytes, "pinned")
            try await owner.pinPhoto(digest, false)
            try await owner.evictPhotos()
            #expect(owner.photoFiles.read(digest) == nil)
            #expect(try await owner.photo(digest) == bytes, "downloaded again on demand")
        }
    }

    @Test("a blob whose chunks do not hash to its name is refused and nothing is kept; a chunk must match its digest; size is capped")
    func wrongHashes() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run(limits: Self.limits) { session in
            let handset = try await session.handset("liar", worker: "zhang.wei", grids: [LiveServer.gridA])
            let claimed = BlobDigest(bytes: SHA256.hash(data: Data("the real photo".utf8)))
            let sent = Data("another photo!".utf8)
            let begin = try await session.device(handset, .post, "/v1/blobs/\(claimed.hex)", json: BlobUploadRequest(size: sent.count))
            #expect(try begin.decode(BlobStatus.self).missing == [0])

            let badChunk = try await session.device(handset, .put, "/v1/blobs/\(claimed.hex)/chunks/0", body: sent,
                                                    digest: Data(SHA256.hash(data: Data("other".utf8))))
            #expect(badChunk.status == 422)
            #expect(try badChunk.decode(ErrorEnvelope.self).error.field == "Content-Digest")

            let whole = try await session.device(handset, .put, "/v1/blobs/\(claimed.hex)/chunks/0", body: sent,
                                                 digest: Data(SHA256.hash(data: sent)))
            #expect(whole.status == 422)
            let error = try whole.decode(ErrorEnvelope.self).error
            #expect(error.code == .digestMismatch && error.field == "sha256")
            #expect(try await session.server.blobs().inventory() == BlobInventory(blobs: [], uploads: []), "nothing is kept")

            let late = try await session.device(handset, .put, "/v1/blobs/\(claimed.hex)/chunks/0", body: sent, digest: Data(SHA256.hash(data: sent)))
            #expect(try late.status == 409 && late.decode(ErrorEnvelope.self).error.code == .uploadNotStarted)

            let huge = try await session.device(handset, .post, "/v1/blobs/\(claimed.hex)", json: BlobUploadRequest(size: Self.limits.maxBlobBytes + 1))
            #expect(huge.status == 413)
            let tooLarge = try huge.decode(ErrorEnvelope.self).error
            #expect(tooLarge.code == .blobTooLarge && tooLarge.limit == Self.limits.maxBlobBytes)

            let upper = try await session.device(handset, .post, "/v1/blobs/\(claimed.hex.uppercased())", json: BlobUploadRequest(size: 1))
            #expect(try upper.status == 400 && upper.decode(ErrorEnvelope.self).error.field == "sha256")
        }
    }

    @Test("photos hold back during a sync storm: uploads are refused 503 overloaded while syncs pour in, the handset stops without an error, and they go through once syncs stop")
    func yieldToStorm() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run(limits: Self.limits, admission: AdmissionPolicy(photosYieldAt: 3)) { session in
            let handset = try await session.handset("storm", worker: "zhang.wei", grids: [LiveServer.gridA])
            let bytes = Self.photoBytes(50_000, seed: 23)
            let photo = try await Self.patrolWithPhoto(handset, id: "pa-storm", bytes: bytes)
            for _ in 0..<4 { try await handset.sync() }
            let refused = try await session.device(handset, .post, "/v1/blobs/\(photo.sha256!)", json: BlobUploadRequest(size: bytes.count))
            #expect(refused.status == 503)
            #expect(try refused.decode(ErrorEnvelope.self).error.code == .overloaded)
            // The handset stops at once, keeps the photo queued and notes no error.
            let held = try await handset.uploadPhotos()
            #expect(held.uploaded == 0 && held.deferredFor.map { (.seconds(5)...(.seconds(15))).contains($0) } == true)
            let status = try await handset.status()
            #expect(status.photosPending == 1 && status.lastPhotoError == nil)
            // Asked again before the pause is over, it sends nothing and says how long is left.
            let early = try await handset.uploadPhotos()
            #expect(early.uploaded == 0 && early.deferredFor.map { $0 <= held.deferredFor! } == true)
            // The rate decays within seconds once syncs stop; the pause is over by then.
            try await Task.sleep(for: early.deferredFor ?? .zero)
            #expect(try await handset.uploadPhotos().uploaded == 1)
            #expect(try await server.storedBlob(photo) == bytes)
        }
    }

    @Test("a POST makes the blob when every chunk is held but the server stopped before making it")
    func finishesHeldUpload() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run(limits: Self.limits) { session in
            let handset = try await session.handset("held", worker: "zhang.wei", grids: [LiveServer.gridA])
            let bytes = Self.photoBytes(70_000, seed: 29)
            let digest = BlobDigest(bytes: SHA256.hash(data: bytes))
            // As a server that died between the last chunk and the check of the whole leaves it.
            let blobs = try session.server.blobs()
            try await blobs.startUpload(digest, size: bytes.count, chunkSize: Self.limits.blobChunkBytes, at: Date())
            for index in 0..<BlobStatus.chunkCount(size: bytes.count, chunkSize: Self.limits.blobChunkBytes) {
                let range = BlobStatus.range(ofChunk: index, size: bytes.count, chunkSize: Self.limits.blobChunkBytes)
                try await blobs.putChunk(digest, index: index, bytes: bytes.subdata(in: range), at: Date())
            }
            let answer = try await session.device(handset, .post, "/v1/blobs/\(digest.hex)", json: BlobUploadRequest(size: bytes.count))
            #expect(try answer.decode(BlobStatus.self).complete)
            #expect(try await blobs.blob(digest)?.size == bytes.count)
        }
    }

    @Test("garbage collection drops unnamed blobs and idle uploads after the grace period, and keeps named ones")
    func garbageCollection() async throws {
        let server = try await LiveServer()
        defer { server.cleanUp() }
        try await server.run(limits: Self.limits) { session in
            let handset = try await session.handset("gc", worker: "zhang.wei", grids: [LiveServer.gridA])
            let named = try await Self.patrolWithPhoto(handset, id: "pa-gc", bytes: Self.photoBytes(40_000, seed: 17))
            try await handset.uploadPhotos()
            let stray = Self.photoBytes(1_000, seed: 19)
            let strayDigest = BlobDigest(bytes: SHA256.hash(data: stray))
            _ = try await session.device(handset, .post, "/v1/blobs/\(strayDigest.hex)", json: BlobUploadRequest(size: stray.count))
            _ = try await session.device(handset, .put, "/v1/blobs/\(strayDigest.hex)/chunks/0", body: stray, digest: Data(SHA256.hash(data: stray)))
            let idle = BlobDigest(String(repeating: "7", count: 64))!
            _ = try await session.device(handset, .post, "/v1/blobs/\(idle.hex)", json: BlobUploadRequest(size: 100_000))

            let library = try session.server.library(limits: Self.limits)
            let early = try await library.collectGarbage(at: Date())
            #expect(early.blobsRemoved == 0 && early.uploadsDropped == 0, "within the grace period nothing goes")
            let late = try await library.collectGarbage(at: Date().addingTimeInterval(8 * 86_400))
            #expect(late.blobsRemoved == 1 && late.bytesFreed == stray.count && late.uploadsDropped == 1)
            let left = try await session.server.blobs().inventory()
            #expect(left.blobs.map(\.digest.hex) == [named.sha256!] && left.uploads.isEmpty)
        }
    }
}
