import CompressNIO
import Foundation
@testable import FieldClient
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Synchronization
import Testing

/// The handset gzips its pushes only after the server said it reads gzip, and falls back to
/// plain bodies the moment a server refuses them: real URLSession, real HTTP on loopback.
@Suite("Request compression")
struct RequestCompressionTests {
    /// What the stand-in server saw, in order: the coding of each body and whether it matched.
    final class Seen: Sendable {
        let log = Mutex<[(coding: String?, intact: Bool)]>([])
        let refuseGzip = Mutex(false)
    }

    static func app(_ seen: Seen, expected: Data) -> some ApplicationProtocol {
        let router = Router()
        router.post("echo") { request, _ -> Response in
            let coding = request.headers[.contentEncoding]
            var body = try await request.body.collect(upTo: 1 << 20)
            if coding == "gzip" && seen.refuseGzip.withLock({ $0 }) {
                seen.log.withLock { $0.append((coding, false)) }
                return Response(status: .unsupportedMediaType)
            }
            let plain = coding == "gzip" ? try body.decompress(with: .gzip()) : body
            seen.log.withLock { $0.append((coding, Data(plain.readableBytesView) == expected)) }
            return Response(status: .ok, headers: [.acceptEncoding: "gzip"])
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Test("plain until the server says gzip; then gzipped above 1 KiB; plain again after a 415, resent at once")
    func negotiation() async throws {
        let seen = Seen()
        let body = Data(String(repeating: "网格员入户走访记录，", count: 200).utf8)
        let statuses = try await Self.app(seen, expected: body).test(.live) { client -> [Int] in
            let transport = URLSessionTransport(baseURL: URL(string: "http://127.0.0.1:\(client.port!)")!)
            let request = TransportRequest(method: "POST", path: "/echo", body: body)
            var statuses: [Int] = []
            statuses.append(try await transport.send(request).status)
            statuses.append(try await transport.send(request).status)
            statuses.append(try await transport.send(TransportRequest(method: "POST", path: "/echo", body: Data("{}".utf8))).status)
            seen.refuseGzip.withLock { $0 = true }
            // A 415 is answered by sending the body plain at once.
            statuses.append(try await transport.send(request).status)
            statuses.append(try await transport.send(request).status)
            return statuses
        }
        #expect(statuses == [200, 200, 200, 200, 200])
        let log = seen.log.withLock { $0 }
        #expect(log.map(\.coding) == [nil, "gzip", nil, "gzip", nil, nil])
        #expect(log.enumerated().allSatisfy { $0.offset == 2 || $0.offset == 3 || $0.element.intact })
    }
}
