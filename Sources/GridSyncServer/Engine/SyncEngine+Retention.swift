import Foundation
import GridSyncCore

/// How long tombstones are kept: Protocol/README.md, "Tombstone retention".
public struct RetentionPolicy: Sendable, Hashable {
    /// A tombstone younger than this is never purged, whoever has pulled it: a command centre
    /// may still overrule the delete (it restores from the `beforeDelete` snapshot).
    public var minimumAge: Duration
    /// A terminal silent this long no longer holds purging back: it is due a rebase instead.
    public var silentLimit: Duration
    /// The most tombstones one run purges: a run is one write transaction.
    public var batch: Int

    public init(minimumAge: Duration = .seconds(30 * 86_400), silentLimit: Duration = .seconds(30 * 86_400), batch: Int = 5_000) {
        self.minimumAge = minimumAge
        self.silentLimit = silentLimit
        self.batch = batch
    }
}

/// What one run of ``SyncEngine/purgeTombstones(now:policy:)`` did.
public struct PurgeReport: Sendable, Hashable {
    /// Tombstones removed for good (a marker stays).
    public var purged: [RecordKey] = []
    /// Old enough, but some terminal that could hold them has not pulled past them.
    public var heldBack = 0
    /// Terminals newly due a rebase for silence.
    public var rebaseDue: [String] = []
}

extension SyncEngine {
    /// Purges every tombstone that has done its job, in one transaction: at least
    /// `policy.minimumAge` old, and pulled past by every active terminal whose scope covers a
    /// grid the record is or was filed under. Revoked terminals do not count; an active one
    /// silent longer than `policy.silentLimit` is marked due a rebase and no longer counts.
    public func purgeTombstones(now: Date, policy: RetentionPolicy = RetentionPolicy()) async throws -> PurgeReport {
        let minimumAge = policy.minimumAge / .seconds(1), silentLimit = policy.silentLimit / .seconds(1)
        return try await store.write { transaction in
            var report = PurgeReport()
            var holders: [(roots: [GridPath], pulled: Int64)] = []
            var scopes = WorkerScopes(transaction)
            for device in try transaction.devices() where device.status == .active && device.rebaseDueAt == nil {
                let heard = device.lastSyncAt ?? device.enrolledAt ?? .distantPast
                if now.timeIntervalSince(heard) > silentLimit {
                    report.rebaseDue.append(device.id)
                    continue
                }
                holders.append((try scopes.of(device.worker), device.pulledSeq ?? 0))
            }
            try transaction.markRebaseDue(deviceIDs: report.rebaseDue, at: now)
            let candidates = try transaction.tombstones(changedBefore: now.addingTimeInterval(-minimumAge),
                                                        seqAtMost: try transaction.currentSeq(), limit: policy.batch)
            let pulledPast = candidates.filter { tombstone in
                !holders.contains { holder in holder.pulled < tombstone.seq && tombstone.grids.contains(where: holder.roots.covers) }
            }
            // Locked, then read again: a push that revived one of them since (on PostgreSQL,
            // another instance's, committed meanwhile) moved it to a new position, and it stays.
            let keys = pulledPast.map(\.key).sorted { ($0.kind.rawValue, $0.id.rawValue) < ($1.kind.rawValue, $1.id.rawValue) }
            try transaction.lock(keys)
            let current = try transaction.records(keys)
            let purgeable = pulledPast.filter { current[$0.key]?.seq == $0.seq }
            report.heldBack = candidates.count - pulledPast.count
            report.purged = purgeable.map(\.key)
            try transaction.purge(purgeable, at: now)
            if !purgeable.isEmpty || !report.rebaseDue.isEmpty {
                try transaction.appendAudit(actor: "system:retention", action: "records.purge", target: nil, outcome: "ok",
                                            detail: "\(purgeable.count) tombstones purged, \(report.heldBack) held back, \(report.rebaseDue.count) terminals due a rebase",
                                            at: now)
            }
            return report
        }
    }
}
