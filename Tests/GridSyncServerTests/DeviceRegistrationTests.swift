import Foundation
import GridSyncAdmin
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
import HTTPTypes
@testable import GridSyncServer
import Testing

/// Registering a terminal survives a lost answer: retried with the same Idempotency-Key it is the
/// same device, never a phantom one with a live code nobody saw.
@Suite("Device registration")
struct DeviceRegistrationTests {
    @Test("a retried registration is the same device with a new code; after enrolment it is already used")
    func idempotentRegistration() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            func register(_ key: String, worker: String = "zhang.wei") async throws -> DeviceEnrollment {
                try await client.admin.enroll(worker: worker, grids: [TestServer.gridA], key: key)
            }
            let first = try await register("reg-1")
            let second = try await register("reg-1")
            #expect(second.deviceId == first.deviceId && second.enrollmentCode != first.enrollmentCode)
            let devices = try await client.admin.devices().devices
            #expect(devices.count == 1)

            // The lost code no longer works; the one the retry gave does.
            let stale = try await client.send(.post, "/v1/enroll", json: EnrollRequest(enrollmentCode: first.enrollmentCode, appVersion: "t"))
            #expect(stale.status == 401)
            let enrolled = try await client.send(.post, "/v1/enroll", json: EnrollRequest(enrollmentCode: second.enrollmentCode, appVersion: "t"))
            #expect(enrolled.status == 200)
            let used = await refusal { try await register("reg-1") }
            #expect(used?.status == 409 && used?.code == .alreadyUsed)

            let wrongWorker = await refusal { try await register("reg-1", worker: "li.si") }
            #expect(wrongWorker?.status == 422 && wrongWorker?.field == "Idempotency-Key")
            let malformed = await refusal { try await register("not a key!") }
            #expect(malformed?.status == 400 && malformed?.field == "Idempotency-Key")
            #expect(try await register("reg-2").deviceId != first.deviceId)
        }
    }
}
