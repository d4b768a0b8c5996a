import Foundation
import GridSyncCore
import GridSyncProtocol
import HTTPTypes
@testable import GridSyncServer
import Testing

/// Registering a terminal survives a lost answer: retried with the same Idempotency-Key it is the
/// same device, never a phantom one with a live code nobody saw.
@Suite("Device registration")
struct DeviceRegistrationTests {
    static let key = HTTPField.Name("Idempotency-Key")!

    @Test("a retried registration is the same device with a new code; after enrolment it is already used")
    func idempotentRegistration() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let body = try WireCoding.encode(DeviceEnrollmentRequest(worker: "zhang.wei", grids: [TestServer.gridA]))
            func register(_ key: String, _ payload: Data = body) async throws -> Client.Reply {
                try await client.send(.post, "/v1/admin/devices", token: client.adminToken, body: payload, headers: [Self.key: key])
            }
            let first = try await register("reg-1").decode(DeviceEnrollment.self)
            let retried = try await register("reg-1")
            #expect(retried.status == 201)
            let second = try retried.decode(DeviceEnrollment.self)
            #expect(second.deviceId == first.deviceId && second.enrollmentCode != first.enrollmentCode)
            let devices = try await client.send(.get, "/v1/admin/devices", token: client.adminToken).decode(DeviceList.self).devices
            #expect(devices.count == 1)

            // The lost code no longer works; the one the retry gave does.
            let stale = try await client.send(.post, "/v1/enroll", json: EnrollRequest(enrollmentCode: first.enrollmentCode, appVersion: "t"))
            #expect(stale.status == 401)
            let enrolled = try await client.send(.post, "/v1/enroll", json: EnrollRequest(enrollmentCode: second.enrollmentCode, appVersion: "t"))
            #expect(enrolled.status == 200)
            let used = try await register("reg-1")
            #expect(used.status == 409 && used.error?.code == .alreadyUsed)

            let other = try WireCoding.encode(DeviceEnrollmentRequest(worker: "li.si", grids: [TestServer.gridA]))
            let wrongWorker = try await register("reg-1", other)
            #expect(wrongWorker.status == 422 && wrongWorker.error?.field == "Idempotency-Key")
            let malformed = try await register("not a key!")
            #expect(malformed.status == 400 && malformed.error?.field == "Idempotency-Key")
            #expect(try await register("reg-2").status == 201)
        }
    }
}
