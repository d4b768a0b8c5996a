import Foundation
import GridSyncCore
import GridSyncProtocol

/// Serves one page of a device's pull from the store, tracking scope changes in the cursor.
struct PullPlanner: Sendable {
    let engine: SyncEngine
    /// The most state bytes one page carries (always at least one record): a page of the
    /// largest records must still fit in a handset's memory and a poor link's patience.
    static let maximumPageBytes = 8 << 20

    /// One page, ready to send: the records as stored bytes, spliced into the response.
    struct Page: Sendable {
        var records: [PulledRecord]
        var cursor: String
        var hasMore: Bool
        var scope: ScopeReport
        /// Rows the store could not read, by key, for the log and the metrics; never sent.
        var unreadable: [String]
        var serverTime: Date
        /// The page starts the scope afresh for a cursor from a lost history.
        var rebase = false

        func rebased() -> Page {
            var page = self
            page.rebase = true
            return page
        }

        /// `PullResponse`'s canonical JSON, with each record's state copied as stored.
        func body() throws -> Data {
            var out: [UInt8] = []
            out.reserveCapacity(records.reduce(256) { $0 + $1.state.count + 160 })
            out += Array(#"{"cursor":"#.utf8)
            CompactJSON.string(cursor, &out)
            out += Array(#","hasMore":"#.utf8)
            out += Array((hasMore ? "true" : "false").utf8)
            out += Array(#","records":["#.utf8)
            for (index, record) in records.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                record.append(to: &out)
            }
            out += Array((rebase ? #"],"rebase":true,"scope":"# : #"],"scope":"#).utf8)
            out += try WireCoding.encode(scope)
            out += Array(#","serverTime":"#.utf8)
            out += try WireCoding.encode(serverTime)
            out.append(UInt8(ascii: "}"))
            return Data(out)
        }
    }

    /// One page after `cursor`; from the start, marked `rebase`, when `rebase` is set or the
    /// cursor turns out to be ahead of everything the store holds (a store restored without a
    /// new epoch: a file copied back by hand).
    func page(scope: [GridPath], cursor: PullCursor, rebase: Bool, limit: Int, protocolVersion: Int, now: Date) async throws -> Page {
        var start = PullCursor.start(scope: scope, version: protocolVersion, epoch: cursor.epoch ?? "")
        start.rebasedSince = now.timeIntervalSince1970
        if rebase { return try await self.page(scope: scope, cursor: start, limit: limit, protocolVersion: protocolVersion, now: now).rebased() }
        let page = try await page(scope: scope, cursor: cursor, limit: limit, protocolVersion: protocolVersion, now: now)
        if page.records.isEmpty, cursor.seq > 0, cursor.backfill == nil, try await engine.currentSeq() < cursor.seq {
            return try await self.page(scope: scope, cursor: start, limit: limit, protocolVersion: protocolVersion, now: now).rebased()
        }
        return page
    }

    private func page(scope: [GridPath], cursor: PullCursor, limit: Int, protocolVersion: Int, now: Date) async throws -> Page {
        var cursor = cursor
        cursor.version = protocolVersion
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

        let found: PulledRecords
        let hasMore: Bool
        if var backfill = cursor.backfill {
            backfill.roots = backfill.roots.filter { scope.covers($0) }
            found = try await engine.records(within: backfill.roots, seqAfter: backfill.after, seqAtMost: backfill.upTo, limit: limit,
                                            maxBytes: Self.maximumPageBytes, protocolVersion: protocolVersion)
            if found.full, let last = found.lastSeq {
                backfill.after = last
                cursor.backfill = backfill
            } else {
                cursor.backfill = nil
            }
            // The pages after a backfill carry what changed meanwhile.
            hasMore = true
        } else {
            // Read first: by the cursor invariant every position up to it is committed and seen
            // by the query below. A page that reaches the end moves the cursor there, even past
            // the scope's last change, so a terminal in a quiet grid still proves it has pulled
            // past later positions: a purged record's, or an erasure's it never got to see.
            let highWater = try await engine.currentSeq()
            found = try await engine.records(within: scope, seqAfter: cursor.seq, seqAtMost: nil, limit: limit, maxBytes: Self.maximumPageBytes,
                                            protocolVersion: protocolVersion)
            if let last = found.lastSeq { cursor.seq = last }
            hasMore = found.full
            if !hasMore { cursor.seq = max(cursor.seq, highWater) }
        }
        return Page(records: found.records.map { Self.redacted($0, for: scope) }, cursor: cursor.text, hasMore: hasMore, scope: report,
                    unreadable: found.unreadable, serverTime: now)
    }

    /// A record that moved out of the device's grids is sent without its contents: enough for
    /// the device to drop its copy, nothing written after the move.
    static func redacted(_ record: PulledRecord, for scope: [GridPath]) -> PulledRecord {
        guard !record.grids.contains(where: scope.covers) else { return record }
        var redacted = record
        redacted.state = PulledRecord.emptyState
        redacted.inConflict = false
        redacted.deleted = false
        redacted.timing = nil
        return redacted
    }
}
