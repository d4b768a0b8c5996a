import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Thousands of idle and stalled connections against the real server binary: `/health`
/// latency with them open, beside the same figure with none open, the server's memory per
/// connection, and how soon the idle timeout closes them all.
///
/// The server runs as its own process because the two ends of every connection need a file
/// descriptor each, and one process may hold 20,000 here.
struct IdleConnectionsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "/health latency under thousands of idle connections, vs none; memory per connection; timeout closing.",
        discussion: "Example:\n  swift run -c release gridsync-bench idle --connections 19000 --idle-timeout 10")

    @Option(help: "Idle connections to open; half send a request head that never ends.") var connections = 19_000
    @Option(help: "The server's --idle-timeout, in seconds.") var idleTimeout = 10
    @Option(help: "/health requests per measurement.") var samples = 300

    func run() async throws {
        let folder = try makeRunFolder("gridsync-idle")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try ServerUnderTest(folder: folder, arguments: ["--idle-timeout", String(idleTimeout)])
        defer { server.stop() }

        let baseline = try Self.healthLatencies(port: server.port, samples: samples)
        let rssBefore = server.residentKilobytes()
        let clock = ContinuousClock()
        var sockets: [Int32] = []
        sockets.reserveCapacity(connections)
        for index in 0..<connections {
            let socket = try Self.connect(port: server.port)
            // Half are slowloris: a request head that never completes.
            if index % 2 == 1 { _ = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".withCString { send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
            sockets.append(socket)
        }
        let opened = clock.now
        let loaded = try Self.healthLatencies(port: server.port, samples: samples)
        let rssLoaded = server.residentKilobytes()

        // Wait until the server has closed every one of them.
        var open = Set(sockets)
        var buffer = [UInt8](repeating: 0, count: 64)
        while !open.isEmpty && clock.now - opened < .seconds(idleTimeout * 4) {
            for socket in open {
                let count = recv(socket, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { open.remove(socket) }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let closedAfter = clock.now - opened
        for socket in sockets { close(socket) }

        func format(_ values: [Double]) -> String {
            let sorted = values.sorted()
            let p50 = sorted[sorted.count / 2], p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
            return String(format: "p50 %.2f ms, p99 %.2f ms", p50, p99)
        }
        let p99 = { (values: [Double]) in values.sorted()[min(values.count - 1, values.count * 99 / 100)] }
        print("idle connections: \(connections) (half with a request head that never ends), server idle timeout \(idleTimeout) s")
        print("GET /health, none open:        \(format(baseline))")
        print("GET /health, \(connections) open:  \(format(loaded))   (p99 ratio \(String(format: "%.2f", p99(loaded) / p99(baseline))))")
        print("server memory: \(rssBefore / 1024) MB before, \(rssLoaded / 1024) MB with them open, "
              + String(format: "%.1f KB per connection", Double(rssLoaded - rssBefore) / Double(max(connections, 1))))
        print(open.isEmpty ? "all closed by the server \(String(format: "%.1f", Double(closedAfter.components.seconds) + Double(closedAfter.components.attoseconds) / 1e18)) s after opening"
                           : "\(open.count) still open after \(idleTimeout * 4) s")
    }

    static func connect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ValidationError("out of file descriptors: lower --connections") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(descriptor); throw ValidationError("connect failed (errno \(errno))") }
        return descriptor
    }

    /// Milliseconds per `GET /health`, each on a connection of its own, as a monitoring probe makes them.
    static func healthLatencies(port: Int, samples: Int) throws -> [Double] {
        let clock = ContinuousClock()
        var latencies: [Double] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        for _ in 0..<samples {
            let started = clock.now
            let socket = try connect(port: port)
            _ = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".withCString { send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            while recv(socket, &buffer, buffer.count, 0) > 0 {}
            close(socket)
            let elapsed = clock.now - started
            latencies.append(Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return latencies
    }
}
