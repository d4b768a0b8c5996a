import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// Slow or vanished clients hold a connection for a bounded time: a request head that never
/// completes, or a body that stops, is closed at the idle timeout; a body that trickles in is
/// answered 408 at its deadline. Real sockets, on dispatch threads so the two cooperative
/// threads stay free for the server.
@Suite("Slow clients")
struct SlowClientTests {
    static func onDispatch<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// A one-off GET on a connection of its own (the test client's kept-alive one is closed by
    /// the short idle timeout these tests use).
    static func get(_ path: String, port: Int) async throws -> String? {
        try await onDispatch {
            let socket = try RawSocket(port: port)
            socket.send("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            return socket.readToClose()
        }
    }

    @Test("a request head that never completes is closed at the idle timeout")
    func stalledHead() async throws {
        let server = try await TestServer(idleTimeout: .seconds(1))
        defer { server.cleanUp() }
        try await server.run(.live) { client in
            let port = client.client.port!
            let answer = try await Self.onDispatch {
                let socket = try RawSocket(port: port)
                socket.send("POST /v1/push HTTP/1.1\r\nHost: localhost\r\nContent-")
                return socket.readToClose()
            }
            #expect(answer != nil, "the server kept a stalled connection open")
            // The server still answers others.
            let health = try await Self.get("/health", port: port)
            #expect(health?.hasPrefix("HTTP/1.1 200") == true)
        }
    }

    @Test("a body that stops arriving is closed; one that trickles in past its deadline is 408")
    func stalledAndTricklingBodies() async throws {
        // The idle timeout is well above the pace of the trickle, so that a loaded machine's
        // scheduling gaps never close the trickling connection before its body deadline.
        let server = try await TestServer(idleTimeout: .seconds(5), bodyTimeout: .seconds(2))
        defer { server.cleanUp() }
        // The device is made in the store: the test client's own connection would not outlive
        // the one-second idle timeout on a loaded machine.
        let token = "gsd_slow-client-test-token"
        _ = try await server.engine.createDevice(worker: "zhang.wei", grids: [TestServer.gridA], enrollmentCodeHash: TokenFactory.hash("gse_slow"),
                                                registrationKey: nil, at: Date())
        _ = try await server.engine.enroll(enrollmentCodeHash: TokenFactory.hash("gse_slow"), tokenHash: TokenFactory.hash(token),
                                          appVersion: "test", installationID: nil, at: Date())
        try await server.run(.live) { client in
            let port = client.client.port!
            let head = "POST /v1/push HTTP/1.1\r\nHost: localhost\r\nGridSync-Protocol: 1\r\nAuthorization: Bearer \(token)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
            let stalled = try await Self.onDispatch {
                let socket = try RawSocket(port: port)
                socket.send(head + "{\"changes\":[")
                return socket.readToClose()
            }
            #expect(stalled != nil, "the server kept a stalled body open")
            let trickled = try await Self.onDispatch {
                let socket = try RawSocket(port: port)
                socket.send(head)
                // Stop as soon as the answer is in: a byte sent after the server closed would
                // draw a reset, and a reset throws away the unread answer.
                for _ in 0..<80 where !socket.hasArrived() {
                    socket.send(" ")
                    usleep(100_000)
                }
                return socket.readToClose()
            }
            #expect(trickled?.hasPrefix("HTTP/1.1 408") == true, "\(trickled?.prefix(120) ?? "nil")")
            #expect(trickled?.contains("request_timeout") == true)
            // Clients that hung up mid-body are theirs to blame: no 5xx in the metrics.
            let metrics = try await Self.get("/metrics", port: port) ?? ""
            #expect(metrics.contains("gridsync_http_requests_total") && !metrics.contains("status=\"500\""))
        }
    }
}
