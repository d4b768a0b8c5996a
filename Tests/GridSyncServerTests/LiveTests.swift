import Foundation
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// The same protocol over a real socket on loopback.
@Suite("Live socket")
struct LiveTests {
    @Test("enrol, push and pull over HTTP on 127.0.0.1, with request ids and metrics")
    func pushPullOverSocket() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run(.live) { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            var terminal = Terminal(replica: device.replicaId)
            let reply = try await client.push([try terminal.create(Sample.household("hh-1")), try terminal.create(Sample.patrol("pt-1"))], as: device)
            #expect(reply.status == 200)
            #expect(reply.headers[RequestIDMiddleware.header] != nil)
            #expect(try reply.decode(PushResponse.self).results.map(\.outcome) == [.applied, .applied])
            #expect(try await client.pullAll(as: device).records.count == 2)
            let metrics = try await client.send(.get, "/metrics", version: nil)
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(text.contains("gridsync_changes_total{outcome=\"applied\"} 2"))
            #expect(text.contains("gridsync_push_duration_seconds_bucket"))
        }
    }
}
