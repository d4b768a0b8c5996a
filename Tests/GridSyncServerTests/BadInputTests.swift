import Foundation
import GridSyncAdmin
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
import HTTPTypes
@testable import GridSyncServer
import Testing

/// Every bad request gets a clear, machine-readable 4xx in the error envelope, never a 5xx.
@Suite("Bad input")
struct BadInputTests {
    @Test("malformed JSON, wrong types, unknown kinds and invalid clocks are 400 with a field")
    func malformedBodies() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            let cases: [(String, String, String?)] = [
                ("{\"changes\": [", "malformed_json", nil),
                ("{\"changes\": 7}", "invalid_request", "changes"),
                (#"{"changes":[{"id":"c1","kind":"spaceship","recordId":"x","clock":{},"writes":{}}]}"#, "invalid_request", "changes[0].kind"),
                (#"{"changes":[{"id":"c1","kind":"household","recordId":"x","clock":{"dev":"three"},"writes":{}}]}"#, "invalid_request", "changes[0].clock.dev"),
                (#"{"changes":[{"id":"c1","kind":"household","recordId":"x","clock":{"bad:id":1},"writes":{}}]}"#, "invalid_request", "changes[0].clock"),
                ("[]", "invalid_request", nil),
            ]
            for (body, code, field) in cases {
                let reply = try await client.send(.post, "/v1/push", token: device.token, body: Data(body.utf8))
                #expect(reply.status == 400, "\(body)")
                #expect(reply.error?.code.rawValue == code, "\(body)")
                if let field { #expect(reply.error?.field == field, "\(body)") }
                #expect(reply.error?.requestId != nil)
            }
        }
    }

    @Test("duplicate members, a bad audit limit, a blank token name and an empty request id are handled, not echoed")
    func smallerFindings() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            let twice = #"{"changes":[],"changes":[{"id":"c1"}]}"#
            let duplicate = try await client.send(.post, "/v1/push", token: device.token, body: Data(twice.utf8))
            #expect(duplicate.status == 400 && duplicate.error?.code == .invalidRequest)
            for limit in ["abc", "-1", "0"] {
                // A value the typed call could never send, through the client's raw answer.
                let audit = try await client.admin.answer("GET", "v1/admin/audit", query: ["limit": limit], body: nil)
                #expect(audit.status == 400 && audit.error?.field == "limit", "limit=\(limit)")
            }
            _ = try await client.admin.audit(limit: 50_000) // too many is capped, not refused
            let blank = await refusal { try await client.admin.issueToken(name: "   ", role: .viewer) }
            #expect(blank?.status == 400 && blank?.field == "name")
            for supplied in ["", "not valid!", String(repeating: "a", count: 65), "中文"] {
                let reply = try await client.send(.get, "/health", headers: [HTTPField.Name("X-Request-ID")!: supplied], version: nil)
                let minted = try #require(reply.headers[HTTPField.Name("X-Request-ID")!])
                #expect(!minted.isEmpty && minted != supplied)
            }
            let kept = try await client.send(.get, "/health", headers: [HTTPField.Name("X-Request-ID")!: "abc-123"], version: nil)
            #expect(kept.headers[HTTPField.Name("X-Request-ID")!] == "abc-123")
        }
    }

    @Test("a request that is not HTTP/1.1 (a raw non-ASCII byte in the target) gets the error envelope and a request id")
    func parseErrorEnvelope() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run(.live) { client in
            let port = client.client.port!
            let answer = try await SlowClientTests.onDispatch { () -> String? in
                let socket = try RawSocket(port: port)
                socket.send("GET /v1/pull?cursor=\u{4E2D} HTTP/1.1\r\nHost: x\r\nGridSync-Protocol: 1\r\n\r\n")
                return socket.readToClose()
            }
            let text = try #require(answer)
            #expect(text.hasPrefix("HTTP/1.1 400"))
            #expect(text.lowercased().contains("x-request-id: "))
            let body = try #require(text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) })
            let envelope = try WireCoding.decode(ErrorEnvelope.self, from: Data(body.utf8))
            #expect(envelope.error.code == .invalidRequest && envelope.error.requestId != nil)
        }
    }

    @Test("unknown or missing protocol versions get 426 with the versions spoken")
    func versions() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            for version in [nil, "3", "0", "zero"] as [String?] {
                let reply = try await client.send(.get, "/v1/pull", version: version)
                #expect(reply.status == 426)
                #expect(reply.error?.code == .unsupportedProtocolVersion)
                #expect(reply.error?.supportedVersions == [1, 2])
            }
        }
    }

    @Test("an oversized body and an oversized batch are 413 and state the limit")
    func limits() async throws {
        let server = try await TestServer(limits: SyncLimits(maxChangesPerPush: 3, maxBodyBytes: 4_096, maxPullPage: 10))
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            let big = try await client.send(.post, "/v1/push", token: device.token, body: Data(repeating: UInt8(ascii: " "), count: 5_000))
            #expect(big.status == 413)
            #expect(big.error?.code == .payloadTooLarge)
            #expect(big.error?.limit == 4_096)

            var terminal = Terminal(replica: device.replicaId)
            let changes = try (1...4).map { try terminal.create(Sample.patrol("pt-\($0)")) }
            let many = try await client.push(changes, as: device)
            #expect(many.status == 413)
            #expect(many.error?.code == .tooManyChanges)
            #expect(many.error?.limit == 3)
        }
    }

    @Test("a bad cursor, a bad limit and an unknown route are 4xx")
    func queries() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            let cursor = try await client.send(.get, "/v1/pull?cursor=not-a-cursor", token: device.token)
            #expect(cursor.status == 400)
            #expect(cursor.error?.field == "cursor")
            #expect(try await client.send(.get, "/v1/pull?limit=-1", token: device.token).status == 400)
            let missing = try await client.send(.get, "/v1/nothing-here", token: device.token)
            #expect(missing.status == 404)
            #expect(missing.error?.code == .notFound)
        }
    }
}
