import Foundation
import GridSyncAdmin
import GridSyncTestSupport
import GRDB
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

@Suite("Authentication and roles")
struct AuthTests {
    @Test("missing, unknown and revoked tokens are 401; a revoked token fails on its next request")
    func revocation() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            #expect(try await client.send(.get, "/v1/pull").error?.code == .unauthenticated)
            #expect(try await client.send(.get, "/v1/pull", token: "gsd_forged").status == 401)
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            #expect(try await client.send(.get, "/v1/pull", token: device.token).status == 200)
            #expect(try await client.admin.revoke(device: device.deviceId).status == .revoked)
            let after = try await client.send(.get, "/v1/pull", token: device.token)
            #expect(after.status == 401)
            #expect(after.error?.code == .tokenRevoked)
            #expect(after.error?.message.contains("ask an admin") == true)
        }
    }

    @Test("an enrolment code works once")
    func enrolmentCodeOnce() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let code = try await client.admin.enrollmentCode(worker: "zhang.wei", grids: [TestServer.gridA])
            let first = try await client.send(.post, "/v1/enroll", json: EnrollRequest(enrollmentCode: code, appVersion: "1.0"))
            #expect(first.status == 200)
            #expect(try first.decode(EnrollResponse.self).scope == [TestServer.gridA])
            let second = try await client.send(.post, "/v1/enroll", json: EnrollRequest(enrollmentCode: code, appVersion: "1.0"))
            #expect(second.status == 409)
            #expect(second.error?.code == .alreadyUsed)
        }
    }

    @Test("an installation whose enrolment answer was lost can present its code again; another cannot")
    func enrolmentRetry() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let code = try await client.admin.enrollmentCode(worker: "zhang.wei", grids: [TestServer.gridA])
            let first = try await client.send(.post, "/v1/enroll", json: EnrollRequest(enrollmentCode: code, appVersion: "1", installationId: "inst-1"))
                .decode(EnrollResponse.self)
            let again = try await client.send(.post, "/v1/enroll", json: EnrollRequest(enrollmentCode: code, appVersion: "1", installationId: "inst-1"))
            #expect(again.status == 200)
            let second = try again.decode(EnrollResponse.self)
            #expect(second.deviceId == first.deviceId && second.replicaId == first.replicaId && second.token != first.token)
            #expect(try await client.send(.get, "/v1/pull", token: second.token).status == 200)
            #expect(try await client.send(.get, "/v1/pull", token: first.token).status == 401, "the lost token is replaced")
            let other = try await client.send(.post, "/v1/enroll", json: EnrollRequest(enrollmentCode: code, appVersion: "1", installationId: "inst-2"))
            #expect(other.status == 409)
        }
    }

    @Test("roles: viewer reads, resolver resolves, admin manages; others get 403")
    func roles() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let viewer = try await client.admin.issueToken(name: "desk", role: .viewer)
            let desk = client.admin(token: viewer.token)
            _ = try await desk.conflicts()
            let resolve = await refusal { try await desk.resolve(RecordKey(kind: .household, id: RecordID("hh-1")!), ResolveRequest(expectedVersion: 1, delete: true)) }
            #expect(resolve?.status == 403 && resolve?.kind == .refused)
            #expect(resolve?.code == .forbidden)
            let enrol = await refusal { try await desk.enroll(worker: "x", grids: [TestServer.gridA]) }
            #expect(enrol?.status == 403)
            let device = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            #expect(await refusal { try await client.admin(token: device.token).conflicts() }?.status == 403)

            try await client.admin.revoke(token: viewer.tokenId)
            #expect(await refusal { try await desk.conflicts() }?.code == .tokenRevoked)
        }
    }

    @Test("every admin action is audited, and the audit log refuses edits")
    func audit() async throws {
        let server = try await TestServer(store: .sqlite)
        defer { server.cleanUp() }
        try await server.run { client in
            _ = try await client.enrollDevice(worker: "zhang.wei", grids: [TestServer.gridA])
            _ = try await client.admin.devices()
            let page = try await client.admin.audit()
            let actions = page.entries.map(\.action)
            #expect(actions.contains("devices.enroll"))
            #expect(actions.contains("device.enroll"))
            #expect(actions.contains("devices.list"))
            #expect(page.entries.allSatisfy { !$0.actor.isEmpty && $0.outcome == "ok" })
        }
        #expect(throws: DatabaseError.self) {
            try server.database().write { db in try db.execute(sql: "DELETE FROM audit") }
        }
    }
}
