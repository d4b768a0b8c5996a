import Foundation
import GridSyncAdmin
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import HTTPTypes
import Testing

/// Sends every request vector in Protocol/vectors/requests, byte for byte, and checks the
/// refusal: bodies that a lenient parser would misread, or that are not the encoding they
/// claim, must be refused whole.
@Suite("Request vectors")
struct RequestVectorTests {
    struct Vector: Decodable {
        struct Expected: Decodable {
            let status: Int
            let code: String
            let field: String?
        }
        let description: String
        let endpoint: String
        /// The body as text, or as base64 when it is binary (a gzipped body).
        let body: String?
        let bodyBase64: String?
        let headers: [String: String]?
        let expected: Expected

        var bytes: Data { body.map { Data($0.utf8) } ?? bodyBase64.flatMap { Data(base64Encoded: $0) } ?? Data() }
    }

    @Test("request vectors are refused as the spec says", arguments: VectorFiles.names("requests"))
    func refused(name: String) async throws {
        let vector = try WireCoding.decode(Vector.self, from: Data(contentsOf: VectorFiles.url("requests", name)))
        #expect(vector.endpoint == "POST /v1/push")
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            var headers = HTTPFields()
            for (name, value) in vector.headers ?? [:] { headers[HTTPField.Name(name)!] = value }
            let reply = try await client.send(.post, "/v1/push", token: device.token, body: vector.bytes, headers: headers)
            #expect(reply.status == vector.expected.status, "\(name): \(vector.description)")
            #expect(reply.error?.code.rawValue == vector.expected.code, "\(name)")
            #expect(reply.error?.field == vector.expected.field, "\(name): \(reply.error?.message ?? "")")
        }
        #expect(try await server.engine.currentSeq() == 0, "\(name): nothing applied")
    }
}
