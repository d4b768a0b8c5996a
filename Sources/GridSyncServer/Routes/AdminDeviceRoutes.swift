import Foundation
import GridSyncCore
import GridSyncProtocol
import HTTPTypes
import Hummingbird

/// Terminals and ops tokens. `Protocol/README.md`, "Admin: devices" and "Admin: tokens".
struct AdminDeviceRoutes {
    let environment: ServerEnvironment
    /// A device that has not synced for this long is shown as stale.
    static let staleAfter = DeviceHealthPolicy().staleAfter

    func register(on group: RouterGroup<GridSyncRequestContext>) {
        group.post("devices", use: environment.auditingRefusals("devices.enroll", enroll))
        group.get("devices", use: environment.auditingRefusals("devices.list", list))
        group.post("devices/:deviceID/revoke", use: environment.auditingRefusals("devices.revoke", revoke))
        group.post("tokens", use: environment.auditingRefusals("tokens.create", createToken))
        group.post("tokens/:tokenID/revoke", use: environment.auditingRefusals("tokens.revoke", revokeToken))
    }

    @Sendable func enroll(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .admin)
        var request = request
        let body = try await request.decodeJSON(DeviceEnrollmentRequest.self, limit: 64 << 10)
        let worker = body.worker.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(worker.count) else { throw APIError.invalid("worker is 1 to 64 characters", field: "worker") }
        guard !body.grids.isEmpty else { throw APIError.invalid("give at least one grid the worker covers", field: "grids") }
        let known = Set(try await environment.engine.hierarchy().grids.map(\.path))
        if let index = body.grids.firstIndex(where: { grid in !known.covers(grid) }) {
            var error = APIError(.unprocessableContent, .unprocessable,
                                 "grid \(body.grids[index]) is not in the hierarchy: import it first with gridsync grids import")
            error.body.field = "grids[\(index)]"
            throw error
        }
        let key = try Self.idempotencyKey(request)
        let code = TokenFactory.token(prefix: TokenFactory.enrollmentPrefix)
        let device: DeviceRecord
        do {
            device = try await environment.engine.createDevice(
                worker: worker, grids: body.grids, enrollmentCodeHash: TokenFactory.hash(code), registrationKey: key, at: environment.now())
        } catch let error as StoreError where error.code == .alreadyUsed {
            throw APIError(.conflict, .alreadyUsed, "this registration already enrolled a terminal: register again with a new Idempotency-Key")
        } catch let error as StoreError where error.code == .invalid("Idempotency-Key") {
            var refusal = APIError(.unprocessableContent, .unprocessable, "this Idempotency-Key registered a device for another worker: use a new key")
            refusal.body.field = "Idempotency-Key"
            throw refusal
        }
        try await environment.audit(actor.name, "devices.enroll", target: device.id, detail: "worker \(worker)")
        let grids = try await environment.engine.scope(ofWorker: worker)
        return try JSONBody.response(DeviceEnrollment(deviceId: device.id, worker: worker, grids: grids, enrollmentCode: code), status: .created)
    }

    /// The optional `Idempotency-Key` header: 1-64 of `[A-Za-z0-9._-]`, a UUID for instance.
    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { return nil }
        guard RecordID(key) != nil else {
            throw APIError.invalid("Idempotency-Key is 1 to 64 letters, digits, '.', '_' or '-', such as a UUID", field: "Idempotency-Key")
        }
        return key
    }

    @Sendable func list(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        var summaries: [DeviceSummary] = []
        var scopes: [String: [GridPath]] = [:]
        for device in try await environment.engine.devices() {
            if scopes[device.worker] == nil { scopes[device.worker] = try await environment.engine.scope(ofWorker: device.worker) }
            summaries.append(summary(of: device, grids: scopes[device.worker]!))
        }
        try await environment.audit(actor.name, "devices.list")
        return try JSONBody.response(DeviceList(devices: summaries))
    }

    @Sendable func revoke(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .admin)
        let id = context.parameters.get("deviceID") ?? ""
        guard let device = try await environment.engine.revokeDevice(id: id, at: environment.now()) else {
            throw APIError(.notFound, .notFound, "no device \(id): list devices to find its id")
        }
        try await environment.audit(actor.name, "devices.revoke", target: id)
        return try JSONBody.response(summary(of: device, grids: try await environment.engine.scope(ofWorker: device.worker)))
    }

    @Sendable func createToken(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .admin)
        var request = request
        let body = try await request.decodeJSON(OpsTokenRequest.self, limit: 16 << 10)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...64).contains(name.count) else { throw APIError.invalid("name is 1 to 64 characters, not only spaces", field: "name") }
        let token = TokenFactory.token(prefix: TokenFactory.opsPrefix)
        let record = try await environment.engine.createOpsToken(name: name, role: body.role, tokenHash: TokenFactory.hash(token), at: environment.now())
        try await environment.audit(actor.name, "tokens.create", target: record.id, detail: "\(name) as \(body.role.rawValue)")
        return try JSONBody.response(OpsTokenResponse(tokenId: record.id, name: record.name, role: record.role, token: token), status: .created)
    }

    @Sendable func revokeToken(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .admin)
        let id = context.parameters.get("tokenID") ?? ""
        guard try await environment.engine.revokeOpsToken(id: id, at: environment.now()) else {
            throw APIError(.notFound, .notFound, "no active token \(id)")
        }
        try await environment.audit(actor.name, "tokens.revoke", target: id)
        return Response(status: .noContent)
    }

    func summary(of device: DeviceRecord, grids: [GridPath]) -> DeviceSummary {
        let stale = device.status == .active
            && (device.lastSyncAt.map { environment.now().timeIntervalSince($0) > Self.staleAfter } ?? true)
        return DeviceSummary(
            deviceId: device.id, worker: device.worker, grids: grids, status: device.status, replicaId: device.replicaID,
            lastSyncAt: device.lastSyncAt, pendingChanges: device.pendingChanges, appVersion: device.appVersion,
            protocolVersion: device.protocolVersion, stale: stale, rebaseDue: device.rebaseDueAt == nil ? nil : true)
    }
}
