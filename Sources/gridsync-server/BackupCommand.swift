import ArgumentParser
import Foundation
import GridSyncPostgres
import GridSyncServer
import GridSyncSQLite
import Logging

/// `gridsync-server backup`: a consistent copy of the embedded database and its photos, taken
/// while the server runs. README "Backup and restore" gives the restore procedure.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the embedded database and its photos while the server runs.",
        discussion: """
            The copy is one consistent moment of the store (SQLite's backup API), written under a
            temporary name and renamed into place, with its photos in <file>.blobs (hard links
            where the file system allows). It carries a new store epoch: a server restored from it
            tells every handset to rebase, and the handsets send again what it lacks.

            To restore: stop the server, move the database file (and its -wal, -shm and .blobs)
            aside, copy the backup and its .blobs folder into their place, start the server.

            PostgreSQL is backed up with pg_dump; after pg_restore, run
            `gridsync-server mark-restored --postgres URL` before starting any instance.

            Example:
              gridsync-server backup --database district.sqlite --to /backups/district-2026-11-27.sqlite
            """)

    @Option(help: "The live SQLite database file. (env: GRIDSYNC_DATABASE)")
    var database: String = env("DATABASE") ?? "gridsync.sqlite"

    @Option(help: "Where to write the backup; must not exist yet.")
    var to: String

    func run() async throws {
        do {
            let summary = try await SQLiteBackup.backUp(database, to: to)
            print("backed up \(database) to \(to): \(summary.photos) photos in \(to).blobs, store epoch \(summary.epoch)")
        } catch let error as BackupError {
            throw ValidationError(error.description)
        }
    }
}

/// `gridsync-server mark-restored`: gives a store restored by other means (pg_restore, a file
/// copied back by hand) a new epoch, so that handsets rebase.
struct MarkRestoredCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mark-restored",
        abstract: "Start a new store epoch after a restore, so that every handset rebases at its next pull.",
        discussion: """
            Run it with no server running on the store. A backup made by `gridsync-server backup`
            carries a new epoch already; this is for pg_restore, or a file copied back by hand.
            """)

    @Option(help: "SQLite database file. (env: GRIDSYNC_DATABASE)")
    var database: String = env("DATABASE") ?? "gridsync.sqlite"

    @Option(help: "PostgreSQL URL; replaces --database. (env: GRIDSYNC_POSTGRES)")
    var postgres: String?

    func run() async throws {
        let epoch: String
        if let postgres = postgres ?? env("POSTGRES") {
            let store = try await PostgresStore(url: postgres, connections: 1, logger: Logger(label: "gridsync-server"))
            do {
                epoch = try await store.renewEpoch()
                await store.shutdown()
            } catch {
                await store.shutdown()
                throw error
            }
        } else {
            guard FileManager.default.fileExists(atPath: database) else { throw ValidationError("there is no database at \(database)") }
            epoch = try await SQLiteStore(path: database).renewEpoch()
        }
        print("store epoch is now \(epoch): handsets rebase at their next pull")
    }
}
