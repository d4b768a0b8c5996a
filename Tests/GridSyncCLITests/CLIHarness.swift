import Foundation
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import GridSyncSQLite
import Hummingbird
import HummingbirdTesting
import Logging

/// Runs the built `gridsync` binary with command strings, as an operator would type them.
struct CLI: Sendable {
    let environment: [String: String]
    /// What runs: the CLI itself, or a tool that runs it (script(1), for a terminal).
    var executable: URL = CLI.binary

    struct Result: Sendable {
        let status: Int32
        let output: String
        let errors: String
    }

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gridsync")
    }

    /// Waits for the process on a dispatch thread: blocking the two cooperative threads here
    /// would starve the in-process server the command is talking to.
    func run(_ command: String) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { [environment, executable] in
                continuation.resume(with: Swift.Result { try CLI.runBlocking(command, environment: environment, executable: executable) })
            }
        }
    }

    static func runBlocking(_ command: String, environment: [String: String], executable: URL = CLI.binary) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = CLI.split(command)
        process.environment = environment
        let output = Pipe()
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("cli-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
                      errors: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
    }

    /// Splits like a shell: spaces separate words, single or double quotes group them.
    static func split(_ command: String) -> [String] {
        var words: [String] = [], current = "", quote: Character?
        var inWord = false
        for character in command {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " {
                if inWord { words.append(current); current = ""; inWord = false }
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}

/// The shared server fixture on a loopback port, and the environment the CLI needs to reach it.
struct LiveFixture {
    let server: ServerFixture
    var directory: URL { server.directory }
    var engine: SyncEngine { server.engine }
    var adminToken: String { server.adminToken }

    init() async throws {
        server = try await ServerFixture(store: .sqlite, hierarchy: GridHierarchy(grids: [GridNode(path: ServerFixture.street, name: "沙头街道")], assignments: []))
    }

    /// Runs `body` with the server listening: the CLI as an operator types it, and the
    /// connection for what terminals do meanwhile.
    func run(logger: Logger = Logger(label: "gridsync-server"), now: @escaping @Sendable () -> Date = Date.init,
             _ body: @Sendable (CLI, ServerConnection) async throws -> Void) async throws {
        let directory = self.directory, token = adminToken
        try await server.run(.live, logger: logger, now: now) { connection in
            let environment = ["GRIDSYNC_SERVER": connection.baseURL!.absoluteString, "GRIDSYNC_TOKEN": token,
                               "GRIDSYNC_STATE_DIR": directory.appendingPathComponent("state").path, "PATH": "/usr/bin:/bin",
                               "HOME": directory.path]
            try await body(CLI(environment: environment), connection)
        }
    }

    /// The same CLI as another operator, with a memory of its own.
    static func asOperator(_ cli: CLI, _ name: String) -> CLI {
        var environment = cli.environment
        environment["GRIDSYNC_STATE_DIR"] = (environment["GRIDSYNC_STATE_DIR"] ?? "/tmp") + "-" + name
        return CLI(environment: environment)
    }

    func cleanUp() { server.cleanUp() }
}
