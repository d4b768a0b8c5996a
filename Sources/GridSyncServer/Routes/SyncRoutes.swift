import Foundation
import GridSyncCore
import GridSyncProtocol
import Hummingbird

/// The device-facing API: enrolment, push and pull. `Protocol/README.md`, "Push" and "Pull".
struct SyncRoutes {
    let environment: ServerEnvironment

    func register(on group: RouterGroup<GridSyncRequestContext>) {
        group.post("enroll", use: enroll)
        group.post("push", use: environment.countingRefusals(push))
        group.get("pull", use: environment.countingRefusals(pull))
    }

    @Sendable func enroll(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(EnrollRequest.self, limit: 16 << 10)
        let token = TokenFactory.token(prefix: TokenFactory.devicePrefix)
        let device: DeviceRecord
        do {
            device = try await environment.engine.enroll(
                enrollmentCodeHash: TokenFactory.hash(body.enrollmentCode), tokenHash: TokenFactory.hash(token),
                appVersion: String(body.appVersion.prefix(32)), installationID: body.installationId.map { String($0.prefix(64)) },
                at: environment.now())
        } catch let error as StoreError where error.code == .alreadyUsed {
            throw APIError(.conflict, .alreadyUsed, "this enrolment code was already used: ask the command centre for a new one")
        } catch let error as StoreError where error.code == .notFound {
            throw APIError(.unauthorized, .unauthenticated, "unknown enrolment code: check it, or ask the command centre for a new one")
        }
        try await environment.audit("device:\(device.id)", "device.enroll", target: device.id)
        let scope = try await environment.engine.scope(ofWorker: device.worker)
        return try JSONBody.response(EnrollResponse(
            deviceId: device.id, replicaId: device.replicaID, token: token, worker: device.worker, scope: scope,
            limits: environment.limits))
    }

    @Sendable func push(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        environment.syncRate.tick()
        let device = try await environment.authenticator.device(request)
        try await environment.refusingOverload(environment.pushGate) { try $0.refuseIfFull() }
        var request = request
        let data = try await request.collectBody(limit: environment.limits.maxBodyBytes, timeout: environment.bodyTimeout)
        // The body is read outside the gate: a slow upload must not hold a slot.
        return try await environment.refusingOverload(environment.pushGate) { gate in
            try await gate.admit { try await apply(JSONBody.decode(PushRequest.self, from: data), from: device, context: context, started: started) }
        }
    }

    private func apply(_ body: PushRequest, from device: DeviceRecord, context: GridSyncRequestContext, started: ContinuousClock.Instant) async throws -> Response {
        guard body.changes.count <= environment.limits.maxChangesPerPush else {
            var error = APIError(.contentTooLarge, .tooManyChanges,
                                 "at most \(environment.limits.maxChangesPerPush) changes per push: split the batch")
            error.body.limit = environment.limits.maxChangesPerPush
            throw error
        }
        if let invalid = body.device?.invalidMember {
            // Kept and shown to ops later: a value outside these bounds is refused, never stored.
            throw APIError.invalid(invalid.message, field: invalid.field)
        }
        if let index = body.changes.firstIndex(where: { $0.record.kind.schema.sinceProtocolVersion > context.protocolVersion }) {
            // The kind does not exist in the client's version: it cannot have meant it.
            throw APIError.invalid("\(body.changes[index].record.kind.rawValue) records need protocol version "
                                   + "\(body.changes[index].record.kind.schema.sinceProtocolVersion): update the app", field: "changes[\(index)].kind")
        }
        let scope = try await environment.engine.scope(ofWorker: device.worker)
        let decider = ChangeDecider()
        let results = try await environment.groupCommit.submit(PushBatch(
            device: device, scope: scope, changes: body.changes.map(decider.check), report: body.device, receivedAt: environment.now()))
        environment.metrics.pushes.increment()
        if let depth = body.device?.pendingChanges { environment.metrics.outboxDepth.record(Double(depth)) }
        for result in results { environment.metrics.countChange(result.outcome.rawValue) }
        environment.metrics.pushLatency.record(ContinuousClock.now - started)
        return try JSONBody.response(PushResponse(results: results))
    }

    @Sendable func pull(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        environment.syncRate.tick()
        let device = try await environment.authenticator.device(request)
        return try await environment.refusingOverload(environment.pullGate) { gate in
            try await gate.admit { try await page(request, for: device, context: context, started: started) }
        }
    }

    private func page(_ request: Request, for device: DeviceRecord, context: GridSyncRequestContext, started: ContinuousClock.Instant) async throws -> Response {
        let scope = try await environment.engine.scope(ofWorker: device.worker)
        let epoch = try await environment.engine.store.epoch()
        let start = PullCursor.start(scope: scope, version: context.protocolVersion, epoch: epoch)
        var cursor = start
        var rebase = false
        if let text = request.uri.queryParameters["cursor"].map(String.init), !text.isEmpty {
            guard let decoded = PullCursor(text: text) else {
                throw APIError.invalid("the cursor is not one this server issued: pull again without a cursor", field: "cursor")
            }
            if let issued = decoded.epoch, issued != epoch {
                // Issued by a history this store no longer has: it was restored from a backup.
                rebase = true
            } else if (decoded.version ?? 1) >= context.protocolVersion {
                cursor = decoded
                cursor.epoch = epoch
            }
        }
        // Silent so long that tombstones it may hold were purged (README "Tombstone retention").
        let rebasedSince = cursor.rebasedSince.map(Date.init(timeIntervalSince1970:))
        if let due = device.rebaseDueAt, !(rebasedSince.map { $0 >= due } ?? false) { rebase = true }
        let acknowledged = rebase || cursor.backfill != nil ? nil : cursor.seq
        var limit = environment.limits.maxPullPage
        if let text = request.uri.queryParameters["limit"] {
            guard let requested = Int(text), requested > 0 else { throw APIError.invalid("limit is a positive integer", field: "limit") }
            limit = min(requested, limit)
        }
        let page = try await PullPlanner(engine: environment.engine).page(scope: scope, cursor: cursor, rebase: rebase, limit: limit,
                                                                          protocolVersion: context.protocolVersion, now: environment.now())
        if page.rebase { environment.metrics.rebases.increment() }
        for key in page.unreadable {
            // The key only: whatever made the row unreadable may hold personal data.
            context.logger.error("pull skipped a record that could not be read", metadata: ["record": .string(key)])
            environment.metrics.unreadableRecords.increment()
        }
        if !page.hasMore {
            // The request's cursor is one the device stored, having stored what came before it.
            try await environment.engine.markSynced(deviceID: device.id, at: environment.now(), pulledUpTo: acknowledged,
                                                    rebasedSince: rebase ? nil : rebasedSince)
        }
        environment.metrics.pullLatency.record(ContinuousClock.now - started)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: try page.body())))
    }
}
