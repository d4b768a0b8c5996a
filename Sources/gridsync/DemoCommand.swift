import ArgumentParser
import FieldClient
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

/// Tries the conflict workflow without a fleet: two throwaway terminals edit one household.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Make demonstration data on a test server.",
        subcommands: [Conflict.self])

    struct Conflict: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enrol two throwaway terminals and have them edit the same household offline, making a conflict.",
            discussion: """
                Needs an admin token and a grid that is in the hierarchy. Not for production servers.

                Example:
                  gridsync demo conflict --grid futian/shatou/community-03/grid-12
                """)

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The grid to put the household in.") var grid: String

        func run() async throws {
            try await guarded {
                let client = try connection.client()
                guard let path = GridPath(grid) else { throw CLIError(.invalid, "'\(grid)' is not a grid path") }
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-demo-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }

                var terminals: [FieldClient] = []
                for worker in ["demo-worker", "demo-cadre"] {
                    let enrollment = try await client.enroll(worker: worker, grids: [path])
                    let terminal = try FieldClient(path: folder.appendingPathComponent("\(worker).sqlite").path,
                                                   transport: URLSessionTransport(baseURL: try connection.serverURL()))
                    try await terminal.enroll(code: enrollment.enrollmentCode)
                    terminals.append(terminal)
                }
                let (worker, cadre) = (terminals[0], terminals[1])
                let id = RecordID("hh-demo-" + UUID().uuidString.prefix(8).lowercased())!
                try await worker.create(Household(
                    id: id, grid: path, address: Address(building: "12栋", unit: "2单元", room: "301"), type: .resident,
                    members: [Member(id: RecordID("m1")!, name: "王秀英", relation: .head, tags: [.elderlyLivingAlone])]))
                try await worker.sync()
                try await cadre.sync()
                try await worker.update(Household.self, id: id) { $0.notes = "每周探访一次" }
                try await cadre.update(Household.self, id: id) { $0.notes = "需要助餐服务"; $0.type = .rented }
                try await worker.sync()
                try await cadre.sync()
                print("made a conflict on household/\(id): notes differ, type merged cleanly")
                print("next: gridsync conflicts show household/\(id)")
            }
        }
    }
}
