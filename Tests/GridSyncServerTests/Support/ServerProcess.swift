import Foundation
import GridSyncAdmin
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GridSyncProtocol

/// The real `gridsync-server` executable, started as a child process on a free port.
final class ServerProcess: @unchecked Sendable {
    // @unchecked because `process` is only touched by the test that owns this object.
    let process: Process
    let port: Int

    /// The executable built beside the test bundle (`swift build` builds it with the tests).
    static var binary: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("gridsync-server")
    }

    static func start(database: URL, adminTokenFile: URL, extra: [String] = []) async throws -> ServerProcess {
        let portFile = database.deletingLastPathComponent().appendingPathComponent("port-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--database", database.path, "--admin-token-file", adminTokenFile.path,
                             "--port", "0", "--port-file", portFile.path, "--log-level", "warning"] + extra
        try process.run()
        // Wait, bounded, for the server to say which port it bound.
        for _ in 0..<300 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return ServerProcess(process: process, port: port)
            }
            guard process.isRunning else { throw StartFailed(status: process.terminationStatus) }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw StartFailed(status: -1)
    }

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// `kill -9`: no chance to flush, finish requests or say goodbye.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    struct StartFailed: Error { let status: Int32 }
}

/// Minimal HTTP for a terminal's requests to a separate process (the command centre's go
/// through `AdminClient`).
enum HTTP {
    static func send(_ method: String, _ url: URL, token: String?, body: Data?) async throws -> (Int, Data) {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 30
        request.setValue(String(WireProtocol.version), forHTTPHeaderField: WireProtocol.versionHeader)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}
