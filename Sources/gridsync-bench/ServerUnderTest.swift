import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `gridsync-server` binary built beside this benchmark, on a fresh database and a free port.
struct ServerUnderTest {
    let process: Process
    let port: Int

    init(folder: URL, arguments: [String]) throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gridsync-server")
        let portFile = folder.appendingPathComponent("port")
        process = Process()
        process.executableURL = binary
        process.arguments = ["--port", "0", "--port-file", portFile.path, "--database", folder.appendingPathComponent("server.sqlite").path,
                             "--log-level", "error"] + arguments
        try process.run()
        var port: Int?
        for _ in 0..<200 where port == nil {
            port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if port == nil { usleep(50_000) }
        }
        guard let port else { process.terminate(); throw ValidationError("the server did not start") }
        self.port = port
    }

    /// The server's resident memory, from /proc.
    func residentKilobytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    /// CPU seconds the server has used so far, user and system, from /proc.
    func cpuSeconds() -> Double {
        let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
        // Fields after the command name, which is in parentheses and may hold spaces.
        guard let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
