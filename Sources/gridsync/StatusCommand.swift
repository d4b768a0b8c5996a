import ArgumentParser
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Fleet health per street: terminals synced today, stale terminals, open conflicts, changes today.",
        discussion: "Example:\n  gridsync status")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await guarded {
            let status = try await connection.client().status()
            if output.json { return try Output.json(status) }
            if status.streets.isEmpty { return print("no terminals or records yet") }
            Output.table(["street", "terminals", "synced today", "stale", "open conflicts", "changes today"], status.streets.map { street in
                [street.street.description, String(street.terminals), String(street.syncedToday), String(street.stale),
                 String(street.openConflicts), String(street.changesToday)]
            }, tints: status.streets.map { [nil, nil, nil, $0.stale > 0 ? .yellow : nil, $0.openConflicts > 0 ? .red : nil] })
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log: who did what, when, and how it ended.",
        discussion: "Example:\n  gridsync audit --since 2026-11-24")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only entries from this day (YYYY-MM-DD, Beijing time) or RFC 3339 time on.") var since: String?
    @Option(help: "At most this many entries.") var limit = 1_000

    func run() async throws {
        try await guarded {
            let page = try await connection.client().audit(since: try since.map(Self.time), limit: limit)
            if output.json { return try Output.json(page) }
            let style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "Asia/Shanghai") ?? .gmt)
            Output.table(["time", "actor", "action", "target", "outcome", "detail"], page.entries.map { entry in
                [entry.at.formatted(style), entry.actor, entry.action, entry.target ?? "", entry.outcome, entry.detail ?? ""]
            }, tints: page.entries.map { $0.outcome == "ok" ? [] : [nil, nil, nil, nil, .red] })
        }
    }

    /// A day is read as midnight in Beijing, where the command centre works.
    static func time(_ text: String) throws -> String {
        let date: Date?
        if text.count == 10 {
            let style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "Asia/Shanghai") ?? .gmt)
            date = CalendarDay(text) == nil ? nil : try? style.parse(text + "T00:00:00+08:00")
        } else {
            date = try? Date.ISO8601FormatStyle().parse(text)
        }
        guard let date else { throw CLIError(.invalid, "'\(text)' is not a date: use YYYY-MM-DD or an RFC 3339 time") }
        return date.formatted(Date.ISO8601FormatStyle())
    }
}
