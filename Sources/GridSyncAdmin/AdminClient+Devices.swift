import Foundation
import GridSyncCore
import GridSyncProtocol

/// Terminals and ops tokens. `Protocol/README.md`, "Admin: devices", "Admin: tokens".
extension AdminClient {
    /// Registers a terminal for `worker`. `key` names this registration, so that a retry after
    /// an answer lost on the way never registers a second device.
    public func enroll(worker: String, grids: [GridPath], key: String = UUID().uuidString.lowercased()) async throws -> DeviceEnrollment {
        try await sendIdempotent(DeviceEnrollment.self, "POST", "v1/admin/devices", body: DeviceEnrollmentRequest(worker: worker, grids: grids),
                                 key: key)
    }

    /// A one-time enrolment code for a terminal of `worker`.
    public func enrollmentCode(worker: String, grids: [GridPath], key: String = UUID().uuidString.lowercased()) async throws -> String {
        try await enroll(worker: worker, grids: grids, key: key).enrollmentCode
    }

    public func devices() async throws -> DeviceList {
        try await get(DeviceList.self, "v1/admin/devices")
    }

    /// Revokes a terminal's token: its next request is refused.
    public func revoke(device: String) async throws -> DeviceSummary {
        try await send(DeviceSummary.self, "POST", "v1/admin/devices/\(device)/revoke", body: [String: String]())
    }

    /// Terminals with at least one problem, worst first.
    public func failingDevices() async throws -> FailingDeviceList {
        try await get(FailingDeviceList.self, "v1/admin/devices/failing")
    }

    /// Everything the server knows of one terminal's health.
    public func device(_ id: String) async throws -> DeviceDetail {
        try await get(DeviceDetail.self, "v1/admin/devices/\(id)")
    }

    /// Issues an ops token; the token itself is only in this answer.
    public func issueToken(name: String, role: OpsRole) async throws -> OpsTokenResponse {
        try await send(OpsTokenResponse.self, "POST", "v1/admin/tokens", body: OpsTokenRequest(name: name, role: role))
    }

    public func revoke(token id: String) async throws {
        _ = try await send("POST", "v1/admin/tokens/\(id)/revoke", body: Data("{}".utf8))
    }
}
