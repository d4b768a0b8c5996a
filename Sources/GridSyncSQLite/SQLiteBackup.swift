import Foundation
import GRDB
import GridSyncServer

/// `gridsync-server backup`: an online, consistent copy of the embedded database while the
/// server runs, through SQLite's backup API (one read transaction, so the copy is one moment
/// of the store; WAL lets the server keep writing meanwhile).
///
/// The copy gets a new epoch at once (``StoreEpoch``): whatever the live store does after this
/// moment is a history the copy never had, so a server restored from it rebases every handset.
public enum SQLiteBackup {
    public struct Summary: Sendable {
        public var epoch: String
        public var photos: Int
    }

    /// Copies the database at `source` to `destination` (which must not exist yet), then its
    /// finished photos into `<destination>.blobs`. The copy is written under a temporary name
    /// and renamed into place: a backup that stopped half-way is never mistaken for one.
    public static func backUp(_ source: String, to destination: String) async throws -> Summary {
        guard FileManager.default.fileExists(atPath: source) else { throw BackupError("there is no database at \(source)") }
        guard !FileManager.default.fileExists(atPath: destination) else { throw BackupError("\(destination) exists already: back up to a new file") }
        let epoch = StoreEpoch.mint(), partial = destination + ".partial"
        try copyDatabase(source, to: partial, epoch: epoch)
        // After the copy, so that every photo the copy names is there (photos are stored after
        // the records naming them); before the rename, so that a backup cut off here is not one.
        let photos: Int
        do {
            photos = try await FileBlobStore(root: URL(fileURLWithPath: destination + ".blobs"))
                .backUp(from: URL(fileURLWithPath: source + ".blobs"))
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        try FileManager.default.moveItem(atPath: partial, toPath: destination)
        return Summary(epoch: epoch, photos: photos)
    }
}

extension SQLiteBackup {
    /// The database at `source`, copied to `partial` (replaced if there) with the new epoch.
    static func copyDatabase(_ source: String, to partial: String, epoch: String) throws {
        try? FileManager.default.removeItem(atPath: partial)
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        let live = try DatabaseQueue(path: source, configuration: configuration)
        defer { try? live.close() }
        do {
            let copy = try DatabaseQueue(path: partial)
            try live.backup(to: copy)
            // A copy of a store that predates the epoch gets its schema brought up to date first.
            try SQLiteStore.migrator.migrate(copy)
            try copy.write { db in try SQLiteStore.setEpoch(epoch, db) }
            try copy.close()
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }
}

/// Why a backup could not be made, in words for the person running it.
public struct BackupError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
