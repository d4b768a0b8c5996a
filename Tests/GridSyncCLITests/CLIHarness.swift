import Foundation
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
            DispatchQueue.global().async { [environment] in
                continuation.resume(with: Swift.Result { try CLI.runBlocking(command, environment: environment) })
            }
        }
    }

    static func runBlocking(_ command: String, environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = CLI.binary
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

/// A live server on a fresh database, and the environment the CLI needs to reach it.
struct LiveFixture {
    let directory: URL
    let store: SQLiteStore
    var engine: SyncEngine { SyncEngine(store: store) }
    let adminToken: String

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("server.sqlite").path)
        adminToken = try await AdminBootstrap.ensureAdminToken(store: store, writingTo: directory.appendingPathComponent("admin.token").path)!
        try await engine.replaceHierarchy(GridHierarchy(grids: [GridNode(path: GridPath("futian/shatou")!, name: "沙头街道")], assignments: []))
    }

    func run(logger: Logger = Logger(label: "gridsync-server"), now: @escaping @Sendable () -> Date = Date.init,
             _ body: @Sendable (CLI, any TestClientProtocol) async throws -> Void) async throws {
        let app = buildApplication(configuration: ServerConfiguration(port: 0, idleTimeout: .seconds(600)), store: store, logger: logger, now: now)
        let directory = self.directory, token = adminToken
        try await app.test(.live) { client in
            let environment = ["GRIDSYNC_SERVER": "http://127.0.0.1:\(client.port!)", "GRIDSYNC_TOKEN": token,
                               "GRIDSYNC_STATE_DIR": directory.appendingPathComponent("state").path, "PATH": "/usr/bin:/bin",
                               "HOME": directory.path]
            try await body(CLI(environment: environment), client)
        }
    }

    /// The same CLI as another operator, with a memory of its own.
    static func asOperator(_ cli: CLI, _ name: String) -> CLI {
        var environment = cli.environment
        environment["GRIDSYNC_STATE_DIR"] = (environment["GRIDSYNC_STATE_DIR"] ?? "/tmp") + "-" + name
        return CLI(environment: environment)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }
}
