import GridSyncCore
import GridSyncProtocol

/// Serves one page of a device's pull from the store, tracking scope changes in the cursor.
struct PullPlanner: Sendable {
    let store: any SyncStore

    func page(scope: [GridPath], cursor: PullCursor, limit: Int) async throws -> PullResponse {
        var cursor = cursor
        var report = ScopeReport(grids: scope)
        if Set(cursor.roots) != Set(scope) {
            report.left = cursor.roots.filter { !scope.covers($0) }
            report.entered = scope.filter { !cursor.roots.covers($0) }
            let pending = (cursor.backfill?.roots ?? []) + report.entered
            if !pending.isEmpty {
                cursor.backfill = PullCursor.Backfill(roots: pending, upTo: cursor.seq, after: 0)
            }
            cursor.roots = scope
        }

        let records: [RecordEnvelope]
        let hasMore: Bool
        if var backfill = cursor.backfill {
            backfill.roots = backfill.roots.filter { scope.covers($0) }
            records = try await store.records(within: backfill.roots, seqAfter: backfill.after, seqAtMost: backfill.upTo, limit: limit)
            if records.count < limit {
                cursor.backfill = nil
            } else {
                backfill.after = records.last!.seq
                cursor.backfill = backfill
            }
            // The pages after a backfill carry what changed meanwhile.
            hasMore = true
        } else {
            records = try await store.records(within: scope, seqAfter: cursor.seq, seqAtMost: nil, limit: limit)
            if let last = records.last { cursor.seq = last.seq }
            hasMore = records.count == limit
        }
        return PullResponse(records: records.map { Self.redacted($0, for: scope) }, cursor: cursor.text, hasMore: hasMore, scope: report)
    }

    /// A record that moved out of the device's grids is sent without its contents: enough for
    /// the device to drop its copy, nothing written after the move.
    static func redacted(_ record: RecordEnvelope, for scope: [GridPath]) -> RecordEnvelope {
        guard !record.grids.contains(where: scope.covers) else { return record }
        var envelope = RecordEnvelope(kind: record.kind, id: record.id, grids: record.grids, seq: record.seq, state: RecordState())
        envelope.deleted = false
        return envelope
    }
}
