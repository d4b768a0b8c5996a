import Foundation
import GridSyncCore
import GridSyncProtocol

extension SyncEngine {
    /// Applies several devices' pushes in one transaction (group commit): every change's record
    /// state, change-log entry and idempotency record commit together, or not at all.
    /// Returns each batch's results in order.
    public func push(_ batches: [PushBatch]) async throws -> [[ChangeResult]] {
        let decider = self.decider, deadlines = self.deadlines
        return try await store.write { transaction in
            var applier = PushApplier(decider: decider, deadlines: deadlines, transaction: transaction)
            return try applier.apply(batches)
        }
    }

    /// Records within `roots` whose version lies in `seqAfter...seqAtMost`, oldest first, as
    /// their stored bytes: at most `limit` of them, and no more than `maxBytes` of state (but
    /// always at least one). Quarantined records are left out. A row that cannot be read as a
    /// record is reported by key and skipped; it never fails the page. Records of kinds newer
    /// than `protocolVersion` are passed over (the page still moves past them).
    public func records(within roots: [GridPath], seqAfter: Int64, seqAtMost: Int64?, limit: Int, maxBytes: Int,
                        protocolVersion: Int = WireProtocol.version) async throws -> PulledRecords {
        let rows = try await store.read { transaction in
            try transaction.changedRecords(within: roots, seqAfter: seqAfter, seqAtMost: seqAtMost ?? Int64.max, limit: limit)
        }
        var page = PulledRecords(records: [], unreadable: [], lastSeq: nil, full: rows.count == limit)
        var bytes = 0
        for row in rows {
            // A page holds at least one record, and stops before the one that would pass the
            // byte bound: the next page starts with it.
            let size = row.state.count + (row.timing?.count ?? 0)
            if !page.records.isEmpty && bytes + size > maxBytes {
                page.full = true
                return page
            }
            page.lastSeq = row.seq
            guard let kind = RecordKind(rawValue: row.kind), let id = RecordID(row.id) else {
                page.unreadable.append("\(row.kind.prefix(32))/\(row.id.prefix(64))")
                continue
            }
            if kind.schema.sinceProtocolVersion > protocolVersion { continue }
            bytes += size
            page.records.append(PulledRecord(kind: kind, id: id, grids: row.grids, seq: row.seq,
                                             inConflict: row.inConflict, deleted: row.deleted, state: row.state, timing: row.timing,
                                             erased: row.erased))
        }
        return page
    }

    /// The newest change-log position a record carries, or a purged record carried: as far as
    /// any cursor of this store's history can have reached.
    public func currentSeq() async throws -> Int64 {
        try await store.read { max(try $0.currentSeq(), try $0.purgedSeq()) }
    }

    /// How many change ids were applied more than once: zero unless idempotency failed.
    public func changesAppliedTwice() async throws -> Int {
        try await store.read { try $0.changesAppliedTwice() }
    }

    /// Notes that a device finished a sync, for the fleet view.
    /// `pulledUpTo`: the position of the cursor the device pulled with to the end, which it
    /// therefore holds; `rebasedSince` when that cursor came from a rebase begun then. Holding
    /// its scope up to there, it has also carried out every erasure up to there.
    public func markSynced(deviceID: String, at: Date, pulledUpTo seq: Int64? = nil, rebasedSince: Date? = nil) async throws {
        try await store.write { transaction in
            try transaction.noteSync(DeviceSync(deviceID: deviceID, at: at, pulled: seq != nil))
            if let seq {
                try transaction.notePulled(deviceID: deviceID, upTo: seq, rebasedSince: rebasedSince)
                try transaction.confirmErasures(deviceID: deviceID, upTo: seq, at: at)
            }
        }
    }
}
