import Foundation
import GridSyncCore
import GridSyncProtocol

/// Erasure on request (PIPL): Protocol/README.md, "Erasure".
extension SyncEngine {
    /// Erases a household: in one transaction, its state becomes a bare delete written by the
    /// server (every field and sibling gone, the `beforeDelete` snapshot dropped), at a new
    /// change-log position, so that every terminal that could hold it is sent the erasure by
    /// pull; the erasure is noted with every active terminal whose scope covers the household,
    /// each to confirm by pulling past it. A second erasure of the same household returns the
    /// first. The change log and the idempotency results never held field values.
    ///
    /// The caller scrubs the store afterwards (``SyncStore/scrub()``): the old bytes may still
    /// sit in a write-ahead log or in freed pages.
    public func erase(_ id: RecordID, actor: String, reason: String, at now: Date) async throws -> ErasureReport {
        let key = RecordKey(kind: .household, id: id)
        let replica = try await serverReplica()
        let erasure: Erasure = try await store.write { transaction in
            try transaction.lock([key])
            if let earlier = try transaction.erasure(of: key) { return earlier }
            guard let stored = try transaction.records([key])[key] else { throw StoreError(.notFound) }
            var state = stored.state
            let change = state.delete(by: replica, id: ChangeID("erase-" + TokenFactory.shortID())!, record: key)
            let seq = try transaction.appendLog([ChangeLogEntry(
                changeID: change.id.rawValue, record: key, replica: replica, clock: change.clock, source: actor,
                outcome: "erased", receivedAt: now)])[0]
            let erased = StoredRecord(key: key, state: state, grids: stored.grids, seq: seq, conflictSince: nil, beforeDelete: nil)
            try transaction.save([RecordWrite(record: erased, encoded: nil, gridsChanged: false)])
            let erasure = Erasure(key: key, seq: seq, erasedAt: now, actor: actor, reason: reason)
            try transaction.recordErasure(erasure, terminals: try Self.terminals(covering: stored.grids, transaction))
            try transaction.appendAudit(actor: actor, action: "households.erase", target: key.description, outcome: "ok", detail: reason, at: now)
            return erasure
        }
        return try await report(of: erasure)
    }

    /// Every erasure, newest first, with each terminal's confirmation.
    public func erasures(limit: Int = 500) async throws -> [ErasureReport] {
        let erasures = try await store.read { try $0.erasures(limit: limit) }
        var reports: [ErasureReport] = []
        for erasure in erasures { reports.append(try await report(of: erasure)) }
        return reports
    }

    /// Whether a household was erased.
    public func isErased(_ id: RecordID) async throws -> Bool {
        try await store.read { try $0.erasure(of: RecordKey(kind: .household, id: id)) != nil }
    }

    private func report(of erasure: Erasure) async throws -> ErasureReport {
        let (confirmations, devices) = try await store.read { transaction in
            (try transaction.erasureConfirmations(of: erasure.key), try transaction.devices())
        }
        let byID = Dictionary(devices.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let terminals = confirmations.keys.sorted().map { deviceID in
            let device = byID[deviceID]
            return ErasureTerminal(deviceId: deviceID, worker: device?.worker ?? "", confirmedAt: confirmations[deviceID] ?? nil,
                                   active: device?.status == .active, lastSyncAt: device?.lastSyncAt)
        }
        return ErasureReport(id: erasure.key.id, version: erasure.seq, erasedAt: erasure.erasedAt, by: erasure.actor,
                             reason: erasure.reason, terminals: terminals)
    }

    /// Active terminals whose scope covers one of `grids`: those that may hold the record.
    static func terminals(covering grids: [GridPath], _ transaction: any StoreTransaction) throws -> [String] {
        var scopes = WorkerScopes(transaction)
        var covering: [String] = []
        for device in try transaction.devices() where device.status == .active {
            if grids.contains(where: try scopes.of(device.worker).covers) { covering.append(device.id) }
        }
        return covering
    }
}
