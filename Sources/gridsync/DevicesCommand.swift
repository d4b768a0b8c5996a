import ArgumentParser
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "Enrol, list, diagnose and revoke handheld terminals.",
        subcommands: [Enroll.self, List.self, Failing.self, Show.self, Revoke.self])

    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a terminal for a worker and print its one-time enrolment code.",
            discussion: "Example:\n  gridsync devices enroll --worker zhang.wei --grid futian/shatou/community-03/grid-12")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The worker the terminal belongs to.") var worker: String
        @Option(help: "A grid the worker covers (repeatable).") var grid: [String]

        func run() async throws {
            try await guarded {
                let client = try connection.client()
                let grids = try grid.map { text in
                    guard let path = GridPath(text) else { throw CLIError(.invalid, "'\(text)' is not a grid path such as futian/shatou/community-03/grid-12") }
                    return path
                }
                guard !grids.isEmpty else { throw CLIError(.usage, "give at least one --grid") }
                let enrollment = try await client.enroll(worker: worker, grids: grids)
                if output.json { return try Output.json(enrollment) }
                print("device \(enrollment.deviceId) for \(enrollment.worker), covering \(enrollment.grids.map(\.description).joined(separator: ", "))")
                print("enrolment code (shown once, enter it on the terminal):")
                print(enrollment.enrollmentCode)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List terminals with their last sync; stale ones (24 h) are highlighted.",
            discussion: "Example:\n  gridsync devices list --json | jq '.devices[] | select(.stale)'")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await guarded {
                let list = try await connection.client().devices()
                if output.json { return try Output.json(list) }
                let rows = list.devices.map { device in
                    [device.deviceId, device.worker, device.status.rawValue, Output.age(since: device.lastSyncAt),
                     device.pendingChanges.map(String.init) ?? "—", device.appVersion ?? "—", device.protocolVersion.map(String.init) ?? "—",
                     [device.stale ? "STALE" : nil, device.rebaseDue == true ? "REBASE DUE" : nil].compactMap { $0 }.joined(separator: ", ")]
                }
                let tints = list.devices.map { device -> [Output.Tint?] in
                    device.stale ? Array(repeating: .yellow, count: 8) : device.status == .revoked ? Array(repeating: .dim, count: 8) : []
                }
                Output.table(["device", "worker", "status", "last sync", "pending", "app", "protocol", ""], rows, tints: tints)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a lost or replaced terminal; its token fails on its next request.",
            discussion: "Example:\n  gridsync devices revoke dev-7k2m9xq4ab")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The device id (from devices list).") var device: String

        func run() async throws {
            try await guarded {
                let summary = try await connection.client().revoke(device: device)
                if output.json { return try Output.json(summary) }
                print("revoked \(summary.deviceId) (\(summary.worker))")
            }
        }
    }
}
