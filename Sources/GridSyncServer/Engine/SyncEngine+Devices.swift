import Foundation
import GridSyncCore
import GridSyncProtocol

extension SyncEngine {
    /// Registers a terminal awaiting enrolment, and assigns its worker the grids. With a
    /// `registrationKey` seen before for the same worker, while that device still awaits
    /// enrolment, it is the same registration retried: the device is kept and its code replaced
    /// (the first answer, with the first code, was lost), so a retrying client never leaves
    /// phantom devices. Throws ``StoreError`` `.alreadyUsed` when the key's device already
    /// enrolled or was revoked, `.invalid` when the key was used for another worker.
    public func createDevice(worker: String, grids: [GridPath], enrollmentCodeHash: String, registrationKey: String?, at: Date) async throws -> DeviceRecord {
        try await store.write { transaction in
            let device: DeviceRecord
            if let registrationKey, let existing = try transaction.device(.registrationKey(registrationKey))?.device {
                guard existing.worker == worker else { throw StoreError(.invalid("Idempotency-Key")) }
                guard existing.status == .awaitingEnrollment else { throw StoreError(.alreadyUsed) }
                try transaction.replaceEnrollmentCode(deviceID: existing.id, hash: enrollmentCodeHash)
                device = existing
            } else {
                // Device and replica ids differ, so that the conflict view's devices and sides can
                // be told apart at a glance: the device is the handset, the replica what it writes as.
                let short = TokenFactory.shortID()
                device = DeviceRecord(id: "dev-" + short, worker: worker, replicaID: ReplicaID("r-" + short)!, status: .awaitingEnrollment)
                try transaction.insertDevice(device, enrollmentCodeHash: enrollmentCodeHash, registrationKey: registrationKey, at: at)
            }
            try transaction.assign(worker: worker, grids: grids)
            return device
        }
    }

    /// Trades an unused enrolment code for a device token, or re-issues the token when the same
    /// installation presents its code again. Throws ``StoreError`` `.alreadyUsed` or `.notFound`.
    public func enroll(enrollmentCodeHash: String, tokenHash: String, appVersion: String, installationID: String?, at: Date) async throws -> DeviceRecord {
        try await store.write { transaction in
            guard let found = try transaction.device(.enrollmentCodeHash(enrollmentCodeHash)) else { throw StoreError(.notFound) }
            let sameInstallation = installationID != nil && found.installationID == installationID
            guard found.device.status == .awaitingEnrollment || (found.device.status == .active && sameInstallation) else {
                throw StoreError(.alreadyUsed)
            }
            try transaction.activate(deviceID: found.device.id, tokenHash: tokenHash, appVersion: appVersion,
                                     protocolVersion: WireProtocol.version, installationID: installationID, at: at)
            guard let device = try transaction.device(.id(found.device.id))?.device else { throw StoreError(.notFound) }
            return device
        }
    }

    /// The device a token belongs to. Read on every request, never cached, so a revocation
    /// takes effect on the next request on every server instance.
    public func device(tokenHash: String) async throws -> DeviceRecord? {
        try await store.read { try $0.device(.tokenHash(tokenHash))?.device }
    }

    public func devices() async throws -> [DeviceRecord] {
        try await store.read { try $0.devices() }
    }

    public func revokeDevice(id: String, at: Date) async throws -> DeviceRecord? {
        try await store.write { transaction in
            guard try transaction.device(.id(id)) != nil else { return nil }
            try transaction.revoke(deviceID: id, at: at)
            return try transaction.device(.id(id))?.device
        }
    }

    public func createOpsToken(name: String, role: OpsRole, tokenHash: String, at: Date) async throws -> OpsTokenRecord {
        try await store.write { transaction in
            let token = OpsTokenRecord(id: "ops-" + TokenFactory.shortID(), name: name, role: role, revoked: false)
            try transaction.insertOpsToken(token, tokenHash: tokenHash, at: at)
            return token
        }
    }

    /// Like ``device(tokenHash:)``: read on every request, never cached.
    public func opsToken(tokenHash: String) async throws -> OpsTokenRecord? {
        try await store.read { try $0.opsToken(tokenHash: tokenHash) }
    }

    public func revokeOpsToken(id: String, at: Date) async throws -> Bool {
        try await store.write { try $0.revokeOpsToken(id: id, at: at) }
    }

    public func opsTokenCount() async throws -> Int {
        try await store.read { try $0.opsTokenCount() }
    }
}
