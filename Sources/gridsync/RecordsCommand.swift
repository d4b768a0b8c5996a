import ArgumentParser
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

/// Setting a record aside when it breaks something, and bringing it back once looked at.
struct RecordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records",
        abstract: "Quarantine a record that harms syncing, list quarantined records, release one.",
        subcommands: [Quarantined.self, Quarantine.self, Release.self])

    /// `kind/id`, as `conflicts list` prints records.
    static func key(_ text: String) throws -> RecordKey {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = RecordKind(rawValue: parts[0]), let id = RecordID(parts[1]) else {
            throw CLIError(.usage, "give the record as kind/id, such as household/hh-0192")
        }
        return RecordKey(kind: kind, id: id)
    }

    struct Quarantined: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List quarantined records: not served by pull until released.",
            discussion: "Example:\n  gridsync records quarantined")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await guarded {
                let list = try await connection.client().quarantined()
                if output.json { return try Output.json(list) }
                if list.records.isEmpty { return print("no quarantined records") }
                Output.table(["record", "grid", "since", "reason"], list.records.map { record in
                    ["\(record.kind.rawValue)/\(record.id.rawValue)", record.grids.map(\.description).joined(separator: " "),
                     Output.age(since: record.since), record.reason]
                })
            }
        }
    }

    struct Quarantine: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a record aside: pull stops serving it; pushes to it still merge. Needs the admin role.",
            discussion: "Example:\n  gridsync records quarantine household/hh-0192 --reason \"拉取出错，待核查\"")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The record, as kind/id.") var record: String
        @Option(help: "Why, for the audit log. Never personal data.") var reason: String

        func run() async throws {
            try await guarded {
                _ = try await connection.client().quarantine(try RecordsCommand.key(record), reason: reason)
                print("quarantined \(record): pull no longer serves it; release it with gridsync records release \(record)")
            }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a quarantined record again; every terminal in scope pulls its current version.",
            discussion: "Example:\n  gridsync records release household/hh-0192")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The record, as kind/id.") var record: String

        func run() async throws {
            try await guarded {
                _ = try await connection.client().release(try RecordsCommand.key(record))
                print("released \(record)")
            }
        }
    }
}
