import Foundation
import GridSyncCore
import GridSyncProtocol
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// The embedded default: blobs as files in a folder beside the SQLite file.
///
/// ```
/// <root>/blobs/ab/abcd…   a finished blob, named by its digest
/// <root>/uploads/abcd…/   an unfinished upload: `meta` (size and chunk size) and one file per chunk
/// <root>/tmp/             where every file is written before it is renamed into place
/// ```
/// Every file is written whole to `tmp`, flushed to disk, renamed into place and its folder
/// flushed: a crash leaves either the old state or the new, and at worst a stray file in `tmp`
/// (cleared when the store opens). The file system's rename is the atomic step.
public struct FileBlobStore: BlobStore {
    public let root: URL

    /// Names the folders only, touching nothing.
    private init(unopened root: URL) {
        self.root = root
    }

    public init(root: URL) throws {
        self.root = root
        for folder in ["blobs", "uploads", "tmp"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        // Left by a crash mid-write: never renamed into place, so never part of any state.
        for stray in (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("tmp").path)) ?? [] {
            try? FileManager.default.removeItem(at: root.appendingPathComponent("tmp").appendingPathComponent(stray))
        }
    }

    public func blob(_ digest: BlobDigest) async throws -> StoredBlob? {
        try await io { try stored(at: blobURL(digest), digest: digest) }
    }

    public func upload(_ digest: BlobDigest) async throws -> BlobUpload? {
        try await io { try heldUpload(digest) }
    }

    public func startUpload(_ digest: BlobDigest, size: Int, chunkSize: Int, at: Date) async throws {
        try await io {
            let folder = uploadURL(digest)
            if let held = try heldUpload(digest), held.size == size, held.chunkSize == chunkSize { return }
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try writeAtomically(to: folder.appendingPathComponent("meta")) { try $0.write(contentsOf: Data("\(size) \(chunkSize)".utf8)) }
        }
    }

    public func putChunk(_ digest: BlobDigest, index: Int, bytes: Data, at: Date) async throws {
        try await io {
            let folder = uploadURL(digest)
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("meta").path) else { throw StoreError(.notFound) }
            let target = folder.appendingPathComponent(String(index))
            // Written once, as in every store: a chunk that is there stays.
            guard !FileManager.default.fileExists(atPath: target.path) else { return }
            // Not flushed: a chunk a power cut damages fails the check of the whole, and the
            // upload starts over. Flushing every chunk made photos slow a storm's commits.
            try writeAtomically(to: target, durably: false) { try $0.write(contentsOf: bytes) }
        }
    }

    public func chunk(_ digest: BlobDigest, index: Int) async throws -> Data? {
        try await io { FileManager.default.contents(atPath: uploadURL(digest).appendingPathComponent(String(index)).path) }
    }

    public func finish(_ digest: BlobDigest, at: Date) async throws {
        try await io {
            guard let upload = try heldUpload(digest) else {
                if try stored(at: blobURL(digest), digest: digest) != nil { return }
                throw StoreError(.notFound)
            }
            let target = blobURL(digest)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try writeAtomically(to: target) { handle in
                for index in 0..<BlobStatus.chunkCount(size: upload.size, chunkSize: upload.chunkSize) {
                    guard let bytes = FileManager.default.contents(atPath: uploadURL(digest).appendingPathComponent(String(index)).path) else {
                        throw StoreError(.notFound)
                    }
                    try handle.write(contentsOf: bytes)
                }
            }
            try? FileManager.default.removeItem(at: uploadURL(digest))
        }
    }

    public func discardUpload(_ digest: BlobDigest) async throws {
        try await io { try? FileManager.default.removeItem(at: uploadURL(digest)) }
    }

    public func read(_ digest: BlobDigest, range: Range<Int>) async throws -> Data {
        try await io {
            guard let handle = FileHandle(forReadingAtPath: blobURL(digest).path) else { throw StoreError(.notFound) }
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(range.lowerBound))
            return try handle.read(upToCount: range.count) ?? Data()
        }
    }

    public func remove(_ digest: BlobDigest) async throws {
        try await io { try? FileManager.default.removeItem(at: blobURL(digest)) }
    }

    public func inventory() async throws -> BlobInventory {
        try await io {
            let files = FileManager.default
            var blobs: [StoredBlob] = []
            for prefix in try files.contentsOfDirectory(atPath: root.appendingPathComponent("blobs").path) {
                let folder = root.appendingPathComponent("blobs").appendingPathComponent(prefix)
                for name in (try? files.contentsOfDirectory(atPath: folder.path)) ?? [] {
                    if let digest = BlobDigest(name), let blob = try stored(at: folder.appendingPathComponent(name), digest: digest) {
                        blobs.append(blob)
                    }
                }
            }
            let uploads = try files.contentsOfDirectory(atPath: root.appendingPathComponent("uploads").path)
                .compactMap { BlobDigest($0) }.compactMap { try heldUpload($0) }
            return BlobInventory(blobs: blobs.sorted { $0.digest < $1.digest }, uploads: uploads.sorted { $0.digest < $1.digest })
        }
    }

    /// Puts every finished blob of the store at `live` into this one, for `gridsync-server
    /// backup`: hard links where both folders share a file system (a finished blob never
    /// changes), copies otherwise. The live store is only read (opening it would clear its
    /// `tmp`, under a running server's feet). Unfinished uploads are left out: handsets
    /// resume them. Returns how many blobs the backup holds.
    public func backUp(from live: URL) async throws -> Int {
        try await io {
            var count = 0
            let source = FileBlobStore(unopened: live)
            let blobs = live.appendingPathComponent("blobs")
            for folder in (try? FileManager.default.contentsOfDirectory(atPath: blobs.path)) ?? [] {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: blobs.appendingPathComponent(folder).path)) ?? [] {
                    guard let digest = BlobDigest(name) else { continue }
                    let target = blobURL(digest)
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    if FileManager.default.fileExists(atPath: target.path) { count += 1; continue }
                    if (try? FileManager.default.linkItem(at: source.blobURL(digest), to: target)) == nil {
                        try FileManager.default.copyItem(at: source.blobURL(digest), to: target)
                    }
                    count += 1
                }
            }
            return count
        }
    }

    // MARK: Files

    private func blobURL(_ digest: BlobDigest) -> URL {
        root.appendingPathComponent("blobs").appendingPathComponent(String(digest.hex.prefix(2))).appendingPathComponent(digest.hex)
    }

    private func uploadURL(_ digest: BlobDigest) -> URL {
        root.appendingPathComponent("uploads").appendingPathComponent(digest.hex)
    }

    private func temporaryURL() -> URL {
        root.appendingPathComponent("tmp").appendingPathComponent(UUID().uuidString)
    }

    private func stored(at url: URL, digest: BlobDigest) throws -> StoredBlob? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else { return nil }
        return StoredBlob(digest: digest, size: (attributes[.size] as? NSNumber)?.intValue ?? 0,
                          storedAt: attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0))
    }

    private func heldUpload(_ digest: BlobDigest) throws -> BlobUpload? {
        let folder = uploadURL(digest)
        guard let meta = FileManager.default.contents(atPath: folder.appendingPathComponent("meta").path) else { return nil }
        let numbers = String(decoding: meta, as: UTF8.self).split(separator: " ").compactMap { Int($0) }
        guard numbers.count == 2 else { return nil }
        var chunks: Set<Int> = []
        var latest = Date(timeIntervalSince1970: 0)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            if let index = Int(name) { chunks.insert(index) }
            if let modified = (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path))?[.modificationDate] as? Date {
                latest = max(latest, modified)
            }
        }
        return BlobUpload(digest: digest, size: numbers[0], chunkSize: numbers[1], chunks: chunks, lastActivity: latest)
    }

    /// Temporary file written by `write`, flushed (if `durably`), renamed into place, folder
    /// flushed (if `durably`).
    private func writeAtomically(to target: URL, durably: Bool = true, _ write: (FileHandle) throws -> Void) throws {
        let temporary = temporaryURL()
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else { throw StoreError(.unavailable("the blob folder could not be written")) }
        let handle = try FileHandle(forWritingTo: temporary)
        do {
            try write(handle)
            if durably { try handle.synchronize() }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        try rename(temporary, to: target, durably: durably)
    }

    private func rename(_ source: URL, to target: URL, durably: Bool) throws {
        guard Glibc.rename(source.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: source)
            throw StoreError(.unavailable("the blob folder could not be written"))
        }
        guard durably else { return }
        let folder = open(target.deletingLastPathComponent().path, O_RDONLY)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// File work runs on NIO's blocking pool, never on Swift's cooperative threads.
    private func io<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
