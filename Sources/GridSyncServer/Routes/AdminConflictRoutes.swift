import Foundation
import GridSyncCore
import GridSyncProtocol
import Hummingbird

/// Conflicts for the command centre: list, show side by side, resolve. `Protocol/README.md`,
/// "Admin: conflicts".
struct AdminConflictRoutes {
    let environment: ServerEnvironment

    func register(on group: RouterGroup<GridSyncRequestContext>) {
        group.get("conflicts", use: environment.auditingRefusals("conflicts.list", list))
        group.get("conflicts/:kind/:id", use: environment.auditingRefusals("conflicts.show", show))
        group.post("conflicts/:kind/:id/resolve", use: environment.auditingRefusals("conflicts.resolve", resolve))
    }

    @Sendable func list(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        let under = try AdminQuery.under(request)
        let kind = try request.uri.queryParameters["kind"].map { text in
            guard let kind = RecordKind(rawValue: String(text)) else {
                throw APIError.invalid("kind is one of \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))", field: "kind")
            }
            return kind
        }
        let records = try await environment.engine.conflicts(under: under, kind: kind)
        let devices = try await deviceIndex()
        try await environment.audit(actor.name, "conflicts.list", target: under?.description)
        return try JSONBody.response(ConflictList(conflicts: records.map { summary(of: $0, devices: devices) }))
    }

    @Sendable func show(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let reveal = try PersonalDataView.reveal(request)
        let actor = try await environment.authenticator.ops(request, needs: reveal ? .admin : .viewer)
        let key = try Self.recordKey(context)
        guard let stored = try await environment.engine.record(key), stored.state.isInConflict else {
            throw APIError(.notFound, .notFound, "\(key) is not in conflict: it may have been resolved already")
        }
        let devices = try await deviceIndex()
        let clocks = try await environment.engine.latestClocks(of: key)
        try await environment.audit(actor.name, reveal ? "conflicts.reveal" : "conflicts.show", target: key.description)
        var detail = detail(of: stored, devices: devices, clocks: clocks)
        if !reveal, PersonalDataView.holdsPersonalData(key.kind) {
            detail.fields = PersonalDataView.masked(detail.fields, of: key.kind)
            detail.masked = true
        }
        return try JSONBody.response(detail)
    }

    @Sendable func resolve(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .resolver)
        let key = try Self.recordKey(context)
        var request = request
        let body = try await request.decodeJSON(ResolveRequest.self, limit: 1 << 20)
        guard let resolution = body.resolution else {
            throw APIError.invalid("give exactly one of keep, set or delete")
        }
        if case .set(let values) = resolution {
            for (path, value) in values {
                do {
                    try key.kind.schema.validate(value, at: path)
                } catch let error as ValidationError {
                    var apiError = APIError(.unprocessableContent, .unprocessable, error.message)
                    apiError.body.field = error.field
                    throw apiError
                }
            }
        }
        let reason = body.reason.map { String($0.prefix(500)) }
        let changeID = ChangeID("res-" + TokenFactory.shortID())!
        do {
            let replica = try await environment.engine.serverReplica()
            let now = environment.now()
            let note = MoveNote(by: "ops:" + actor.name, at: now, reason: reason ?? "settled a workflow conflict")
            let resolved = try await environment.engine.resolve(key, expectedVersion: body.expectedVersion, actor: "ops:" + actor.name,
                                                                at: now) { stored in
                try stored.resolution(resolution, by: replica, id: changeID, note: note)
            }
            try await environment.audit(actor.name, "conflicts.resolve", target: key.description, detail: reason)
            return try JSONBody.response(ResolveResponse(changeId: changeID, record: resolved.envelope))
        } catch let error as StoreError {
            if case .unavailable = error.code { throw error }
            let refusal: APIError = switch error.code {
            case .versionChanged: APIError(.conflict, .conflictChanged, "the conflict changed since it was shown: show it again and decide again")
            case .notFound: APIError(.notFound, .notFound, "no record \(key)")
            default: APIError(.unprocessableContent, .unprocessable, "the resolution could not be applied")
            }
            throw refusal
        } catch let error as ResolutionError {
            var refusal = APIError(.unprocessableContent, .unprocessable, error.message)
            refusal.body.field = error.field
            throw refusal
        }
    }

    static func recordKey(_ context: GridSyncRequestContext) throws -> RecordKey {
        guard let kind = context.parameters.get("kind").flatMap(RecordKind.init(rawValue:)),
              let id = context.parameters.get("id").flatMap(RecordID.init) else {
            throw APIError(.notFound, .notFound, "no such record: the path names a record kind and a record id")
        }
        return RecordKey(kind: kind, id: id)
    }

    private func deviceIndex() async throws -> [ReplicaID: DeviceRecord] {
        Dictionary(try await environment.engine.devices().map { ($0.replicaID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func summary(of stored: StoredRecord, devices: [ReplicaID: DeviceRecord]) -> ConflictSummary {
        let sides = stored.state.siblings.map(\.replica)
        return ConflictSummary(
            kind: stored.key.kind, id: stored.key.id, grids: stored.grids, siblings: sides.count,
            fields: Self.contestedFields(of: stored), deleteConflict: stored.state.hasDeleteConflict,
            workers: Array(Set(sides.map { devices[$0]?.worker ?? $0.rawValue })).sorted(),
            devices: sides.map(\.rawValue), since: stored.conflictSince ?? environment.now(), version: stored.seq)
    }

    /// The fields a resolution must decide: those whose siblings differ now, and, while the
    /// record is tombstoned, those that differed when it was deleted and that it no longer holds.
    static func contestedFields(of stored: StoredRecord) -> [FieldPath] {
        Set(stored.state.conflictingFields).union(contestedBeforeDelete(of: stored).keys).sorted()
    }

    static func contestedBeforeDelete(of stored: StoredRecord) -> [FieldPath: [Dot: FieldValue]] {
        stored.beforeDelete?.stillContested(in: stored.state) ?? [:]
    }

    func detail(of stored: StoredRecord, devices: [ReplicaID: DeviceRecord], clocks: [ReplicaID: VectorClock]) -> ConflictDetail {
        let sides = stored.state.siblings.map { sibling in
            ConflictSide(replica: sibling.replica, deviceId: devices[sibling.replica]?.id, worker: devices[sibling.replica]?.worker,
                         clock: clocks[sibling.replica], deletes: sibling.deletes)
        }
        return ConflictDetail(summary: summary(of: stored, devices: devices), fields: Self.comparisons(of: stored), sides: sides)
    }

    /// Every field of the record, as ops compare it: agreed ones with their value, contested
    /// ones (now, or before a contested delete) with each writer's.
    static func comparisons(of stored: StoredRecord) -> [FieldComparison] {
        let state = stored.state
        let siblings = state.siblings
        let contested = Set(state.conflictingFields)
        var fields: [FieldComparison] = []
        for path in state.entries.keys.sorted() where path != .deleted {
            if contested.contains(path) {
                var candidates: [String: FieldValue] = [:]
                for sibling in siblings { if let write = sibling.values[path] { candidates[sibling.replica.rawValue] = write.value } }
                fields.append(FieldComparison(field: path, status: .conflict, candidates: candidates))
            } else if let value = state.agreedFields[path] {
                fields.append(FieldComparison(field: path, status: .merged, value: value))
            }
        }
        // Contested before the delete: shown with each writer's value, decided only by `set`.
        for (path, values) in Self.contestedBeforeDelete(of: stored) {
            let candidates = Dictionary(values.map { ($0.key.replica.rawValue, $0.value) }, uniquingKeysWith: { first, _ in first })
            fields.append(FieldComparison(field: path, status: .conflict, candidates: candidates))
        }
        fields.sort { $0.field < $1.field }
        return fields
    }
}
