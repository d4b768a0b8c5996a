import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

extension FieldClient {
    /// Pushes the outbox, then pulls everything new in scope. Safe to call at any moment and to
    /// interrupt at any point: the next call picks up where this one stopped.
    @discardableResult
    public func sync() async throws -> SyncReport {
        let identity = try requireIdentity()
        var report = SyncReport()
        let clock = configuration.now
        try await noting(.lastError, kind: .lastErrorKind, failure: "sync failed",
                         success: { db in try Meta.lastSyncAt.set(String(clock().timeIntervalSince1970), db) }) {
            try await pushOutbox(identity, report: &report)
            try await pull(identity, report: &report)
            // A restored server asked for the acknowledged changes again: send them now.
            if report.rebased { try await pushOutbox(identity, report: &report) }
        }
        // Fold the log into the file now, while nobody is typing (see ReplicaDatabase).
        // Passive: it never waits for a reader, and what it leaves the next sync takes.
        try? await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
        // After an erasure, the log is truncated: it still holds the erased rows' old pages.
        await Erasure.scrubIfOwed(pool)
        return report
    }

    /// Runs `body` and records how it ended under `key`: cleared on success (with `success`'s
    /// writes), the reason on failure, and the bytes it moved either way.
    func noting(_ key: Meta, kind: Meta? = nil, failure: String, success: @escaping @Sendable (Database) throws -> Void = { _ in },
                _ body: () async throws -> Void) async throws {
        do {
            try await body()
            let bytes = takeUnsavedBytes()
            try await pool.write { db in
                try success(db)
                try key.set(nil, db)
                try kind?.set(nil, db)
                try Self.flushByteCounts(db, bytes)
            }
        } catch let pause as ServerPause {
            // Pacing, not failure: nothing to note, and the bytes are saved with the next write.
            throw pause
        } catch {
            let message = (error as? FieldClientError)?.message ?? "\(failure): \(error)"
            let bytes = takeUnsavedBytes()
            try? await pool.write { db in
                try key.set(message, db)
                try kind?.set((error as? FieldClientError)?.code.rawValue ?? "other", db)
                try Self.flushByteCounts(db, bytes)
            }
            throw error
        }
    }

    func takeUnsavedBytes() -> (sent: Int, received: Int) {
        defer { unsavedBytes = (0, 0) }
        return unsavedBytes
    }

    /// Sends the outbox oldest first, in batches the server's limits allow; an entry leaves the
    /// outbox only once the server's answer for it is stored.
    func pushOutbox(_ identity: DeviceIdentity, report: inout SyncReport) async throws {
        while true {
            let entries = try await pool.read { db in try Outbox.oldest(identity.limits.maxChangesPerPush, db) }
            if entries.isEmpty { return }
            try await push(Self.fitting(entries, limit: identity.limits.maxBodyBytes), identity, report: &report)
        }
    }

    /// The longest prefix whose request body stays under the byte limit (at least one entry:
    /// the server will say if even that is too big).
    static func fitting(_ entries: [Outbox.Entry], limit: Int) -> [Outbox.Entry] {
        var size = 64
        var count = 0
        for entry in entries {
            size += entry.body.count + 1
            if size > limit && count > 0 { break }
            count += 1
        }
        return Array(entries.prefix(count))
    }

    func push(_ entries: [Outbox.Entry], _ identity: DeviceIdentity, report: inout SyncReport) async throws {
        let body = try Self.pushBody(entries, report: try await deviceReport(sending: entries.count))
        let (response, answer) = try await exchange("POST", "/v1/push", body: body, token: identity.token, expecting: PushResponse.self,
                                                    valid: { $0.results.count == entries.count }, report: &report)
        switch response.status {
        case 200:
            try await settle(entries, results: answer!.results, report: &report)
        case 413 where entries.count > 1:
            let half = entries.count / 2
            try await push(Array(entries.prefix(half)), identity, report: &report)
            try await push(Array(entries.dropFirst(half)), identity, report: &report)
        case 413:
            try await park(entries[0].change, RejectReason(code: "payload_too_large", message: Self.refusal(response).message), report: &report)
        case 400:
            // A change the server cannot read at all is named by index; park it, keep the rest moving.
            let error = try? WireCoding.decode(ErrorEnvelope.self, from: response.body).error
            guard let index = error?.field.flatMap(Self.changeIndex), entries.indices.contains(index) else { throw Self.refusal(response) }
            try await park(entries[index].change, RejectReason(code: error!.code.rawValue, message: error!.message, field: error!.field), report: &report)
        default:
            throw Self.refusal(response)
        }
    }

    /// Acknowledged changes leave the outbox; refused ones are parked with their reason.
    func settle(_ entries: [Outbox.Entry], results: [ChangeResult], report: inout SyncReport) async throws {
        let now = configuration.now()
        let retention = Double(configuration.sentRetention.components.seconds)
        let outcome = try await pool.write { [rows] db in
            var pushed = 0, rejected = 0, conflicts = 0, erased = 0
            var accepted: [Change] = []
            for (entry, result) in zip(entries, results) where result.outcome != .rejected {
                try Outbox.acknowledge(entry.change.id, at: now, db)
                accepted.append(entry.change)
                pushed += 1
                if result.outcome == .conflict { conflicts += 1 }
            }
            try Outbox.confirm(accepted, db, cache: rows)
            try Outbox.forgetSent(before: now.addingTimeInterval(-retention), db)
            for (entry, result) in zip(entries, results) where result.outcome == .rejected {
                if result.reason?.code == RejectReason.erasedCode {
                    // Erased on request while this change waited: dropped with the record, never parked.
                    try Erasure.erase(entry.change.record, db, cache: rows)
                    erased += 1
                    continue
                }
                if result.reason?.code == RejectReason.recordPurgedCode {
                    // Gone for good: a change the server had accepted before (a rebase sent it
                    // again) is dropped; a new one is parked for a person. Either way the record
                    // leaves the replica once nothing else for it waits, never live again here.
                    if entry.requeued {
                        try Outbox.remove(entry.change.id, db)
                    } else {
                        try Outbox.park(entry.change, reason: result.reason!, at: now, db, cache: rows)
                        rejected += 1
                    }
                    if try !Outbox.hasPending(entry.change.record, db) { try RecordRow.delete(entry.change.record, db, cache: rows) }
                    continue
                }
                try Outbox.park(entry.change, reason: result.reason ?? RejectReason(code: "rejected", message: "refused by the server"), at: now, db, cache: rows)
                rejected += 1
            }
            return (pushed, rejected, conflicts, erased)
        }
        report.pushed += outcome.0
        report.rejected += outcome.1
        report.conflicts += outcome.2
        report.erased += outcome.3
    }

    /// What this handset says of itself with a push (Protocol/README.md, "Push"): the outbox left
    /// once this batch is accepted, how old its oldest change is, what is parked, how the last
    /// sync failed, free storage, and its clock, from which the server reads how far off it is.
    func deviceReport(sending count: Int) async throws -> DeviceReport {
        let now = configuration.now()
        let (pending, oldest, parked, kind) = try await pool.read { db in
            (try Outbox.count(db), try Double.fetchOne(db, sql: "SELECT MIN(created_at) FROM outbox"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rejected") ?? 0, try Meta.lastErrorKind.get(db))
        }
        let folder = URL(fileURLWithPath: pool.path).deletingLastPathComponent().path
        let free = (try? FileManager.default.attributesOfFileSystem(forPath: folder)[.systemFreeSize] as? NSNumber)?.int64Value
        return DeviceReport(pendingChanges: max(0, pending - count), appVersion: configuration.appVersion,
                            oldestPendingSeconds: oldest.map { max(0, Int(now.timeIntervalSince1970 - $0)) }, parkedChanges: parked,
                            lastErrorKind: kind, freeStorageBytes: free, deviceTime: now)
    }

    func park(_ change: Change, _ reason: RejectReason, report: inout SyncReport) async throws {
        let now = configuration.now()
        try await pool.write { [rows] db in try Outbox.park(change, reason: reason, at: now, db, cache: rows) }
        report.rejected += 1
        logger.notice("change parked", metadata: ["change": .string(change.id.rawValue), "code": .string(reason.code)])
    }

    static func changeIndex(_ field: String) -> Int? {
        guard field.hasPrefix("changes["), let close = field.firstIndex(of: "]") else { return nil }
        return Int(field[field.index(field.startIndex, offsetBy: 8)..<close])
    }

    /// `{"changes":[…],"device":{…}}` from the stored change bodies, without re-encoding them.
    static func pushBody(_ entries: [Outbox.Entry], report: DeviceReport) throws -> Data {
        var body = Data(#"{"changes":["#.utf8)
        for (index, entry) in entries.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(entry.body)
        }
        body.append(contentsOf: Array(#"],"device":"#.utf8))
        body.append(try WireCoding.encode(report))
        body.append(UInt8(ascii: "}"))
        return body
    }
}
