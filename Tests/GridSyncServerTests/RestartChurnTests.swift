import Foundation
import GridSyncTestSupport
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
        let opened = try await TestStore.open(.forServerTests, directory: directory)
        let store = opened.store
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
            let app = try buildApplication(configuration: ServerConfiguration(port: port), store: store, logger: logger)
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
        await opened.close()
        #expect(answered.load(ordering: .relaxed) > 200)
    }

    /// One `GET /health` on a fresh connection; true when a 200 came back. `wait: false` hangs up
    /// right after sending, as a client that loses signal does.
    static func probe(port: Int, wait: Bool) -> Bool {
        guard let socket = try? RawSocket(port: port, timeout: 2) else {
            usleep(1_000)
            return false
        }
        socket.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        if !wait && Int.random(in: 0..<2) == 0 { return false }
        return socket.readToClose()?.hasPrefix("HTTP/1.1 200") == true
    }
}
