import ArgumentParser
import Crypto
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

/// Photos for the command centre: what a photo is, which records show it, and its bytes as a
/// file. Every look is audited on the server, since photos show people and homes.
struct PhotosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "photos",
        abstract: "Show a photo's size and the records that name it, or save it to a file.",
        subcommands: [Show.self, Get.self])

    static func digest(_ text: String) throws -> BlobDigest {
        guard let digest = BlobDigest(text.lowercased()) else {
            throw CLIError(.usage, "give the photo's SHA-256: 64 hex digits, as conflicts show and orders show list them")
        }
        return digest
    }

    /// The photos a record view names, with the commands that show them.
    static func list(_ digests: [BlobDigest]) {
        guard !digests.isEmpty else { return }
        print("photos (see one with gridsync photos get <sha256> -o FILE):")
        for digest in digests { print("  \(digest.hex)") }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a photo: its size, when it was stored, and the records that name it. Audited.",
            discussion: "Example:\n  gridsync photos show 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The photo's SHA-256.") var sha256: String

        func run() async throws {
            try await guarded {
                let digest = try PhotosCommand.digest(sha256)
                let details = try await connection.client().photoDetails(digest)
                if output.json { return try Output.json(details) }
                print(digest.hex)
                if let size = details.size {
                    print("stored: \(size) bytes, \(details.storedAt.map { Output.age(since: $0) + " ago" } ?? "")")
                } else if let chunks = details.uploadedChunks {
                    print("not stored yet: an upload is under way (\(chunks) chunks received)")
                } else {
                    print("not stored: no handset has uploaded it yet")
                }
                if details.records.isEmpty { return print("no record names it") }
                print("named by:")
                for record in details.records { print("  \(record.kind.rawValue)/\(record.id)") }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Save a photo to a file, checked against its SHA-256. Audited.",
            discussion: "Example:\n  gridsync photos get 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 -o finding.jpg")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The photo's SHA-256.") var sha256: String
        @Option(name: .shortAndLong, help: "Where to write it. An existing file is not overwritten without --force.") var output: String
        @Flag(help: "Overwrite an existing file.") var force = false

        func run() async throws {
            try await guarded {
                let digest = try PhotosCommand.digest(sha256)
                if FileManager.default.fileExists(atPath: output) && !force {
                    throw CLIError(.usage, "\(output) exists: choose another name, or pass --force")
                }
                let bytes = try await connection.client().photoContent(digest)
                guard BlobDigest(bytes: SHA256.hash(data: bytes)) == digest else {
                    throw CLIError(.server, "the photo arrived damaged (it does not hash to its name): try again")
                }
                do {
                    try bytes.write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw CLIError(.usage, "cannot write \(output): check the folder exists and is writable")
                }
                print("saved \(bytes.count) bytes to \(output)")
            }
        }
    }
}
