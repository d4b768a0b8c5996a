import ArgumentParser
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

extension DevicesCommand {
    /// After a storm: which terminals need a look, and why, in one line each.
    struct Failing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List terminals that are stale, lagging, piling up an outbox, parking changes or failing requests.",
            discussion: """
                Worst first, one line of reasons each, and the command that shows the terminal whole.

                Example:
                  gridsync devices failing
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await guarded {
                let list = try await connection.client().failingDevices()
                if output.json { return try Output.json(list) }
                if list.devices.isEmpty { return print("no terminal needs a look") }
                Output.table(["device", "worker", "problems", "why", "look closer"], list.devices.map { detail in
                    [detail.summary.deviceId, detail.summary.worker, detail.problems.map(\.kind.rawValue).joined(separator: ","),
                     detail.problems.map(\.reason).joined(separator: "; "), "gridsync devices show \(detail.summary.deviceId)"]
                }, tints: list.devices.map { detail in
                    Array(repeating: detail.problems.contains { [.revoked, .failing].contains($0.kind) } ? .red : .yellow, count: 5)
                })
                print("\(list.devices.count) terminals need a look")
            }
        }
    }

    /// Everything the server knows of one terminal's health.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one terminal: last push and pull, outbox, parked changes, errors, clock skew, storage, problems.",
            discussion: "Example:\n  gridsync devices show dev-7k2m9xq4ab")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The device id (from devices list or devices failing).") var device: String

        func run() async throws {
            try await guarded {
                let detail = try await connection.client().device(device)
                if output.json { return try Output.json(detail) }
                let summary = detail.summary, report = detail.report
                var rows: [[String]] = [
                    ["worker", summary.worker],
                    ["status", summary.status.rawValue + (summary.rebaseDue == true ? ", rebase due" : "")],
                    ["grids", summary.grids.map(\.description).joined(separator: " ")],
                    ["last sync", Output.age(since: summary.lastSyncAt)],
                    ["last push", Output.age(since: detail.lastPushAt)],
                    ["last complete pull", Output.age(since: detail.lastPullAt)],
                    ["changes not pulled", detail.cursorLag.map(String.init) ?? "— (never pulled to the end)"],
                    ["outbox", (report?.pendingChanges ?? summary.pendingChanges).map { "\($0) changes" } ?? "—"],
                    ["oldest pending", report?.oldestPendingSeconds.map { Output.duration(seconds: Double($0)) } ?? "—"],
                    ["parked", report?.parkedChanges.map(String.init) ?? "—"],
                    ["last error kind", report?.lastErrorKind ?? "none"],
                    ["refused / failed, 24 h", "\(detail.clientErrors24h) / \(detail.serverErrors24h)"],
                    ["clock skew", report?.clockSkewSeconds.map { Output.skew(seconds: $0) } ?? "—"],
                    ["free storage", report?.freeStorageBytes.map { Output.bytes($0) } ?? "—"],
                    ["app / protocol", "\(summary.appVersion ?? "—") / \(summary.protocolVersion.map(String.init) ?? "—")"],
                ]
                rows += detail.problems.map { ["PROBLEM: " + $0.kind.rawValue, $0.reason] }
                print("device \(summary.deviceId)")
                Output.table(["", ""], rows)
            }
        }
    }
}
