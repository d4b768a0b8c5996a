import ArgumentParser
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

struct ConflictsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List, inspect and resolve records in conflict.",
        subcommands: [List.self, Show.self, Resolve.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List records in conflict, oldest first.",
            discussion: "Example:\n  gridsync conflicts list --street futian/shatou --kind household")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only conflicts in this street (a grid path).") var street: String?
        @Option(help: "Only conflicts in this community.") var community: String?
        @Option(help: "Only conflicts in this grid.") var grid: String?
        @Option(help: ArgumentHelp("Only this kind: \(RecordKind.allCases.map(\.rawValue).joined(separator: ", ")).")) var kind: String?

        func run() async throws {
            try await guarded {
                let client = try connection.client()
                var filter = ConflictFilter()
                if let under = street ?? community ?? grid {
                    guard let path = GridPath(under) else { throw CLIError(.invalid, "'\(under)' is not a grid path such as futian/shatou") }
                    filter.under = path
                }
                if let kind {
                    guard let known = RecordKind(rawValue: kind) else {
                        throw CLIError(.invalid, "unknown kind '\(kind)': use one of \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    filter.kind = known
                }
                let list = try await client.conflicts(filter)
                if output.json { return try Output.json(list) }
                if list.conflicts.isEmpty { return print("no open conflicts") }
                Output.table(["record", "grid", "sides", "fields", "workers", "age"], list.conflicts.map { conflict in
                    ["\(conflict.kind.rawValue)/\(conflict.id)", conflict.grids.map(\.description).joined(separator: " "),
                     String(conflict.siblings), conflict.deleteConflict ? "deleted vs edited" : conflict.fields.map(\.rawValue).joined(separator: ","),
                     conflict.workers.joined(separator: ","), Output.age(since: conflict.since)]
                })
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a conflict field by field, each side in its own column.",
            discussion: """
                A household member's name, ID number and phone are masked (张*, 138****0000). --reveal shows them whole: it needs the admin role, and the server audits it.

                Example:
                  gridsync conflicts show household/hh-0192
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The record, as kind/id (from conflicts list).") var record: String
        @Flag(help: "Show personal data unmasked. Needs the admin role; audited.") var reveal = false

        func run() async throws {
            try await guarded {
                let client = try connection.client()
                let key = try ConflictsCommand.parse(record)
                let detail = try await client.conflict(key, reveal: reveal)
                SeenVersions().remember(detail.summary.version, of: key.description, on: try connection.serverURL())
                if output.json { return try Output.json(detail) }
                ConflictDiff(detail: detail).print()
                if detail.masked == true { print("personal data masked; --reveal shows it (admin role, audited)") }
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decide a conflict: keep one side, or set the contested fields.",
            discussion: """
                Resolves against the version `conflicts show` last displayed; if the record changed since, the server refuses and you should show it again.

                Examples:
                  gridsync conflicts resolve household/hh-0192 --keep A --reason "网格员已核实"
                  gridsync conflicts resolve household/hh-0192 --set notes=每周探访 --set type='"rented"'
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The record, as kind/id.") var record: String
        @Option(help: "Keep one side: its letter from `show`, its device or replica id, or its worker's name.") var keep: String?
        @Option(help: "Set a contested field: field=value (value as JSON, or plain text).") var set: [String] = []
        @Flag(help: "Keep the delete.") var delete = false
        @Option(help: "Why; goes into the audit log.") var reason: String?
        @Option(help: "Resolve against this version instead of the one last shown.") var version: Int64?

        func run() async throws {
            try await guarded {
                let client = try connection.client()
                let key = try ConflictsCommand.parse(record)
                guard [keep != nil, !set.isEmpty, delete].filter({ $0 }).count == 1 else {
                    throw CLIError(.usage, "give exactly one of --keep SIDE, --set field=value (repeatable) or --delete")
                }
                let server = try connection.serverURL()
                guard let version = version ?? SeenVersions().version(of: key.description, on: server) else {
                    throw CLIError(.usage, "show the conflict first (gridsync conflicts show \(key)), so the decision is made on what you saw")
                }
                var request = ResolveRequest(expectedVersion: version, delete: delete ? true : nil, reason: reason)
                if let keep {
                    let detail = try await client.conflict(key)
                    request.keep = try ConflictsCommand.side(keep, in: detail)
                }
                if !set.isEmpty { request.set = try ConflictsCommand.assignments(set) }
                let response = try await client.resolve(key, request)
                if output.json { return try Output.json(response) }
                print("resolved \(key) with change \(response.changeId); new version \(response.record.seq). Terminals in scope receive it on their next sync.")
            }
        }
    }

    static func parse(_ text: String) throws -> RecordKey {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = RecordKind(rawValue: parts[0]), let id = RecordID(parts[1]) else {
            throw CLIError(.usage, "'\(text)' is not a record: write kind/id, such as household/hh-0192")
        }
        return RecordKey(kind: kind, id: id)
    }

    /// Finds the side the operator named: a letter, a replica or device id, or a worker name.
    static func side(_ name: String, in detail: ConflictDetail) throws -> ReplicaID {
        let sides = detail.sides
        if name.count == 1, let letter = name.uppercased().unicodeScalars.first, (65..<91).contains(letter.value) {
            let index = Int(letter.value) - 65
            if sides.indices.contains(index) { return sides[index].replica }
        }
        let matches = sides.filter { $0.replica.rawValue == name || $0.deviceId == name || $0.worker == name }
        guard matches.count == 1 else {
            let known = sides.enumerated().map { "\(ConflictDiff.letter($0.offset)) (\($0.element.worker ?? $0.element.replica.rawValue))" }
            // What was typed is not repeated: it may be anybody's name.
            throw CLIError(.invalid, matches.isEmpty ? "--keep names no side of this conflict: choose one of \(known.joined(separator: ", "))"
                                                     : "--keep names more than one side: use its letter")
        }
        return matches[0].replica
    }

    /// `field=value` pairs, the value read as JSON when it parses, else as text.
    static func assignments(_ pairs: [String]) throws -> [FieldPath: FieldValue] {
        var values: [FieldPath: FieldValue] = [:]
        for pair in pairs {
            // The value may be a name, an ID number or a phone: a usage error quotes only the
            // part before `=`, and only when it is a plausible field name.
            guard let equals = pair.firstIndex(of: "=") else {
                throw CLIError(.usage, "--set takes field=value, such as notes=每周探访: one --set has no '='")
            }
            guard let path = FieldPath(String(pair[..<equals])) else {
                let name = String(pair[..<equals])
                let shown = name.count <= 48 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/_.-".contains($0)) } ? "'\(name)'" : "the part before '='"
                throw CLIError(.usage, "--set takes field=value: \(shown) is not a field path, such as notes or members/m-01")
            }
            let text = String(pair[pair.index(after: equals)...])
            values[path] = (try? WireCoding.decode(FieldValue.self, from: Data(text.utf8))) ?? .string(text)
        }
        return values
    }
}
