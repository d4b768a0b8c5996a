import ArgumentParser
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

/// Households: one shown (masked unless revealed), erasure on request (PIPL), and how far each
/// erasure has reached the handsets.
struct HouseholdsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "households",
        abstract: "Show a household (masked), erase one on request, follow erasures to every terminal.",
        subcommands: [Show.self, Erase.self, Erasures.self])

    static func id(_ text: String) throws -> RecordID {
        guard let id = RecordID(text) else { throw CLIError(.usage, "give the household's id, such as hh-0192") }
        return id
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a household field by field, personal data masked (张*, 138****0000).",
            discussion: """
                --reveal shows members' names, ID numbers and phones whole. It needs the admin role, and the server audits every reveal.

                Examples:
                  gridsync households show hh-0192
                  gridsync households show hh-0192 --reveal
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The household's id.") var id: String
        @Flag(help: "Show personal data unmasked. Needs the admin role; audited.") var reveal = false

        func run() async throws {
            try await guarded {
                let detail = try await connection.client().household(try HouseholdsCommand.id(id), reveal: reveal)
                if output.json { return try Output.json(detail) }
                var state = detail.erased ? "erased" : detail.deleted ? "deleted" : detail.inConflict ? "in conflict" : "live"
                if detail.masked { state += ", personal data masked (--reveal shows it: admin role, audited)" }
                print("household \(detail.id.rawValue) in \(detail.grids.map(\.description).joined(separator: " ")), version \(detail.version): \(state)")
                Output.table(["field", "value"], detail.fields.map { field in
                    if let value = field.value { return [field.field.rawValue, Output.value(value, limit: 400)] }
                    let sides = (field.candidates ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \(Output.value($0.value))" }
                    return [field.field.rawValue, "CONFLICT " + sides.joined(separator: " | ")]
                })
            }
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a household on request (PIPL). Needs the admin role; cannot be undone.",
            discussion: """
                Every field of the household and its members goes from the server, in every sibling and in what a delete kept. Only a marker stays, so that a late change is refused. Each terminal whose grids cover the household removes it from its replica, outbox and parked changes at its next sync; follow them with `gridsync households erasures`.

                Example:
                  gridsync households erase hh-0192 --reason "本人申请删除 2026-118"
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The household's id.") var id: String
        @Option(help: "Why: the request's reference. Kept with the erasure and in the audit log, so never personal data.") var reason: String

        func run() async throws {
            try await guarded {
                let report = try await connection.client().erase(try HouseholdsCommand.id(id), reason: reason)
                if output.json { return try Output.json(report) }
                print("erased household \(report.id.rawValue) on the server; \(report.pending.count) of \(report.terminals.count) terminals still to confirm")
                print("follow with: gridsync households erasures")
            }
        }
    }

    struct Erasures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List erasures, newest first, with the terminals that have not confirmed yet.",
            discussion: "Example:\n  gridsync households erasures")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await guarded {
                let list = try await connection.client().erasures()
                if output.json { return try Output.json(list) }
                if list.erasures.isEmpty { return print("no erasures") }
                Output.table(["household", "erased", "by", "confirmed", "pending terminals", "reason"], list.erasures.map { erasure in
                    let confirmed = erasure.terminals.filter { $0.confirmedAt != nil }.count
                    let pending = erasure.pending.map { "\($0.deviceId) (\($0.worker), last sync \(Output.age(since: $0.lastSyncAt)))" }
                    return [erasure.id.rawValue, Output.age(since: erasure.erasedAt), erasure.by, "\(confirmed)/\(erasure.terminals.count)",
                            pending.isEmpty ? "none: complete" : pending.joined(separator: ", "), erasure.reason]
                }, tints: list.erasures.map { [nil, nil, nil, $0.pending.isEmpty ? .green : .yellow, nil, nil] })
            }
        }
    }
}
