import Foundation
import GridSyncCore

/// Photo bytes as files beside the replica (`<replica>.photos/<sha256>`), written whole to a
/// temporary file, flushed and renamed: a photo file is there complete or not at all, and its
/// name is its hash. Kept out of SQLite so a 3 MB photo never bloats the replica's log.
struct PhotoFiles: Sendable {
    let folder: URL

    init(replicaPath: String) throws {
        folder = URL(fileURLWithPath: replicaPath + ".photos")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("tmp"), withIntermediateDirectories: true)
    }

    func url(_ digest: BlobDigest) -> URL { folder.appendingPathComponent(digest.hex) }

    /// A partial download, kept so that a cut download resumes.
    func partialURL(_ digest: BlobDigest) -> URL { folder.appendingPathComponent("tmp").appendingPathComponent(digest.hex + ".part") }

    func write(_ bytes: Data, as digest: BlobDigest) throws {
        let temporary = folder.appendingPathComponent("tmp").appendingPathComponent(UUID().uuidString)
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw FieldClientError(.invalid, "the photo could not be saved: is the handset's storage full?")
        }
        let handle = try FileHandle(forWritingTo: temporary)
        try handle.write(contentsOf: bytes)
        try handle.synchronize()
        try handle.close()
        if FileManager.default.fileExists(atPath: url(digest).path) { try FileManager.default.removeItem(at: url(digest)) }
        try FileManager.default.moveItem(at: temporary, to: url(digest))
    }

    func read(_ digest: BlobDigest) -> Data? {
        FileManager.default.contents(atPath: url(digest).path)
    }

    /// Bytes `range` of a stored photo.
    func read(_ digest: BlobDigest, range: Range<Int>) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: url(digest).path) else {
            throw FieldClientError(.notFound, "the photo's file is gone from the handset")
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(range.lowerBound))
        return try handle.read(upToCount: range.count) ?? Data()
    }

    func remove(_ digest: BlobDigest) {
        try? FileManager.default.removeItem(at: url(digest))
    }
}
