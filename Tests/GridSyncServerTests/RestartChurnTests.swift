import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GridSyncCore
@testable import GridSyncServer
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// A server restarted 200 times while clients keep connecting must never crash. A connection
/// accepted just as the server stops used to trap in swift-nio when the serving task was
/// cancelled (apple/swift-nio#3481); the server stops by graceful shutdown instead.
@Suite("Restarts under connection churn", .serialized)
struct RestartChurnTests {
    @Test("200 restarts while connections keep arriving: no crash, and the server answers after each")
    func restartsUnderChurn() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-churn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("server.sqlite").path)
        let port = try await FreePort.pick()
        let stop = Atomic<Bool>(false)
        let answered = Atomic<Int>(0)
        let churners = (0..<3).map { _ in
            Thread {
                while !stop.load(ordering: .relaxed) {
                    if Self.probe(port: port, wait: false) { answered.add(1, ordering: .relaxed) }
                    usleep(2_000)  // steady churn, without taking the other tests' CPU
                }
            }
        }
        churners.forEach { $0.start() }
        var logger = Logger(label: "churn")
        logger.logLevel = .critical
        for round in 0..<200 {
            let app = buildApplication(configuration: ServerConfiguration(port: port), store: store, logger: logger)
            let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
            let running = Task { try await group.run() }
            var up = false
            for _ in 0..<400 where !up {
                up = Self.probe(port: port, wait: true)
                if !up { try await Task.sleep(for: .milliseconds(5)) }
            }
            #expect(up, "round \(round): the server did not answer")
            await group.triggerGracefulShutdown()
            _ = await running.result
        }
        stop.store(true, ordering: .relaxed)
        #expect(answered.load(ordering: .relaxed) > 200)
    }

    /// One `GET /health` on a fresh connection; true when a 200 came back. `wait: false` hangs up
    /// right after sending, as a client that loses signal does.
    static func probe(port: Int, wait: Bool) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { usleep(1_000); return false }
        _ = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".withCString { send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        if !wait && Int.random(in: 0..<2) == 0 { return false }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 12 && String(decoding: buffer[0..<12], as: UTF8.self) == "HTTP/1.1 200"
    }
}
