import ArgumentParser
import GridSyncAdmin

/// `gridsync`: the command centre's tool for conflicts, terminals, grids, fleet status and audit.
@main
struct GridSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridsync",
        abstract: "Command-centre tool for GridSync: conflicts, work orders, terminals, grids, fleet status and audit.",
        discussion: """
            Point it at a server with --server (or GRIDSYNC_SERVER) and an ops token with --token (or GRIDSYNC_TOKEN). Every command that prints data takes --json.

            Exit codes: 0 ok, 1 server error, 3 token refused, 4 not found, 5 changed since shown, 6 server unreachable, 7 invalid input, 64 usage.

            Example:
              export GRIDSYNC_SERVER=http://127.0.0.1:8080
              export GRIDSYNC_TOKEN=$(cat admin.token)
              gridsync conflicts list --street futian/shatou
            """,
        subcommands: [ConflictsCommand.self, OrdersCommand.self, DevicesCommand.self, GridsCommand.self, RecordsCommand.self, HouseholdsCommand.self, PhotosCommand.self, StatusCommand.self, AuditCommand.self, DemoCommand.self])
}

/// Options every command that talks to the server takes.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Server URL. (env: GRIDSYNC_SERVER)")
    var server: String?

    @Option(help: "Ops token. (env: GRIDSYNC_TOKEN)")
    var token: String?

    /// The server's URL, from `--server` or `GRIDSYNC_SERVER`.
    func serverURL() throws -> URL {
        guard let server = server ?? ProcessInfo.processInfo.environment["GRIDSYNC_SERVER"], let url = URL(string: server), url.scheme != nil else {
            throw CLIError(.usage, "no server: pass --server URL or set GRIDSYNC_SERVER, for example http://127.0.0.1:8080")
        }
        return url
    }

    func client() throws -> AdminClient {
        let environment = ProcessInfo.processInfo.environment
        let url = try serverURL()
        guard let token = token ?? environment["GRIDSYNC_TOKEN"], !token.isEmpty else {
            throw CLIError(.usage, "no token: pass --token or set GRIDSYNC_TOKEN (the admin token file the server wrote on first start)")
        }
        return AdminClient(baseURL: url, token: token)
    }
}

/// `--json` for commands that print data.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of a table.")
    var json = false
}

import Foundation
