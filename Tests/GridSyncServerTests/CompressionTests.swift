import CompressNIO
import Foundation
import GridSyncAdmin
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import HTTPTypes
import NIOCore
import Testing

/// gzip both ways (`Protocol/README.md`, "Compression"): answers compressed only when asked,
/// pushes read compressed, and a bad or oversized compressed body refused with a code, not a crash.
@Suite("Compression")
struct CompressionTests {
    static func gzip(_ data: Data) throws -> Data {
        var buffer = ByteBuffer(bytes: data)
        return Data(try buffer.compress(with: .gzip()).readableBytesView)
    }

    static func gunzip(_ data: Data) throws -> Data {
        var buffer = ByteBuffer(bytes: data)
        return Data(try buffer.decompress(with: .gzip()).readableBytesView)
    }

    @Test("a pull page is gzipped when asked, and inflates to exactly the page sent uncompressed; pushes may be gzipped")
    func bothWays() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            var terminal = Terminal(replica: device.replicaId)
            let changes = try (0..<20).map { try terminal.create(Sample.household("hh-\($0)")) }
            let body = try WireCoding.encode(PushRequest(changes: changes))
            let pushed = try await client.send(.post, "/v1/push", token: device.token, body: try Self.gzip(body),
                                               headers: [.contentEncoding: "gzip", .acceptEncoding: "gzip"])
            #expect(pushed.status == 200)
            #expect(pushed.headers[.acceptEncoding] == "gzip", "every answer says pushes may be gzipped")
            let results = try WireCoding.decode(PushResponse.self, from: pushed.headers[.contentEncoding] == "gzip" ? Self.gunzip(pushed.body) : pushed.body)
            #expect(results.results.map(\.outcome) == Array(repeating: .applied, count: 20))

            let plain = try await client.send(.get, "/v1/pull", token: device.token)
            #expect(plain.headers[.contentEncoding] == nil)
            let zipped = try await client.send(.get, "/v1/pull", token: device.token, headers: [.acceptEncoding: "br, gzip;q=0.8"])
            #expect(zipped.headers[.contentEncoding] == "gzip")
            #expect(zipped.headers[.vary] == "Accept-Encoding")
            #expect(zipped.body.count * 4 < plain.body.count, "\(zipped.body.count) compressed vs \(plain.body.count)")
            let inflated = try WireCoding.decode(PullResponse.self, from: try Self.gunzip(zipped.body))
            let expected = try WireCoding.decode(PullResponse.self, from: plain.body)
            #expect(inflated.records == expected.records)
            #expect(inflated.records.count == 20)

            let refused = try await client.send(.get, "/v1/pull", token: device.token, headers: [.acceptEncoding: "gzip;q=0, identity"])
            #expect(refused.headers[.contentEncoding] == nil, "q=0 refuses gzip")
        }
    }

    @Test("an unknown coding is 415, a body that is not gzip is 400, and a small bomb is 413 at the body limit; nothing is stored")
    func refusals() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            var terminal = Terminal(replica: device.replicaId)
            let body = try WireCoding.encode(PushRequest(changes: [try terminal.create(Sample.household("hh-1"))]))

            let unknown = try await client.send(.post, "/v1/push", token: device.token, body: body, headers: [.contentEncoding: "br"])
            #expect(unknown.status == 415)
            #expect(try unknown.decode(ErrorEnvelope.self).error.code == .unsupportedEncoding)

            let garbage = try await client.send(.post, "/v1/push", token: device.token, body: body, headers: [.contentEncoding: "gzip"])
            #expect(garbage.status == 400)
            #expect(try garbage.decode(ErrorEnvelope.self).error.code == .malformedEncoding)

            // 8 MiB of spaces, about 8 KiB compressed: refused at the inflated size (4 MiB).
            let bomb = try Self.gzip(Data(repeating: 0x20, count: 8 << 20))
            #expect(bomb.count < 64 << 10)
            let exploded = try await client.send(.post, "/v1/push", token: device.token, body: bomb, headers: [.contentEncoding: "gzip"])
            #expect(exploded.status == 413)
            let error = try exploded.decode(ErrorEnvelope.self).error
            #expect(error.code == .payloadTooLarge)
            #expect(error.limit == SyncLimits().maxBodyBytes)

            #expect(try await client.pullAll(as: device).records.isEmpty)
        }
    }

    @Test("the body limit holds on the inflated size, whatever the ratio", arguments: [(4 << 20) + 1, 5 << 20, 16 << 20])
    func inflatedLimit(size: Int) throws {
        let limit = 4 << 20
        let bomb = ByteBuffer(bytes: try Self.gzip(Data(repeating: 0x20, count: size)))
        #expect(throws: APIError.self) { try ContentCoding.decoded(bomb, contentEncoding: "gzip", limit: limit) }
        let fits = ByteBuffer(bytes: try Self.gzip(Data(repeating: 0x20, count: limit)))
        #expect(try ContentCoding.decoded(fits, contentEncoding: "gzip", limit: limit).readableBytes == limit)
    }
}
