import Foundation
import GridSyncCore
import GridSyncProtocol

/// One group commit's pushes, applied inside one write transaction.
///
/// It reads what the decisions rest on in a few bulk loads (after locking every record the
/// pushes touch), decides each change in order in memory, and writes the outcome back in a
/// few bulk saves. So a store's cost per group commit is a handful of round trips, whether it
/// is an in-process SQLite file or a PostgreSQL server across the network.
struct PushApplier {
    let decider: ChangeDecider
    let deadlines: DeadlinePolicy
    let transaction: any StoreTransaction

    private var records: [RecordKey: StoredRecord] = [:]
    /// Grids each touched record had when loaded, to tell the store whether they changed.
    private var loadedGrids: [RecordKey: [GridPath]] = [:]
    private var dirty: [RecordKey: (encoded: Data?, logIndex: Int)] = [:]
    private var log: [ChangeLogEntry] = []
    private var applied: [ChangeID: ChangeResult] = [:]
    private var newlyApplied: [AppliedChange] = []
    private var refusedDots: [RecordKey: [Dot: [Dot]]] = [:]
    private var pendingRefusals: [(key: RecordKey, dots: [Dot], superseded: [Dot])] = []
    private var workerReplicas: [String: [ReplicaID]] = [:]
    /// Blobs named by the changes that changed their records: the photo index's new entries.
    private var photoNames: [RecordKey: Set<BlobDigest>] = [:]
    /// Records touched that were deleted and purged: a change to one is refused.
    private var purged: Set<RecordKey> = []
    /// Records touched that were erased: a change to one is refused, whether the erased
    /// record's bare delete is still kept or was purged since.
    private var erased: Set<RecordKey> = []

    init(decider: ChangeDecider, deadlines: DeadlinePolicy, transaction: any StoreTransaction) {
        self.decider = decider
        self.deadlines = deadlines
        self.transaction = transaction
    }

    mutating func apply(_ batches: [PushBatch]) throws -> [[ChangeResult]] {
        let changes = batches.flatMap(\.changes).map(\.change)
        let keys = Array(Set(changes.map(\.record))).sorted { ($0.kind.rawValue, $0.id.rawValue) < ($1.kind.rawValue, $1.id.rawValue) }
        // Lock first, then read: what is read is then what every earlier commit left.
        try transaction.lock(keys)
        applied = try transaction.appliedResults(changes.map(\.id))
        records = try transaction.records(keys)
        loadedGrids = records.mapValues(\.grids)
        let absent = keys.filter { records[$0] == nil }
        if !absent.isEmpty { purged = try transaction.purgedKeys(absent) }
        // Only a household can be erased, and an erased one is deleted or gone: the ledger is
        // asked about those alone, so a push pays nothing for erasures otherwise.
        let erasable = keys.filter { $0.kind == .household && records[$0]?.state.isTombstoned != false }
        if !erasable.isEmpty { erased = try transaction.erasedKeys(erasable) }

        var results: [[ChangeResult]] = []
        var syncs: [DeviceSync] = []
        for batch in batches {
            results.append(try batch.changes.map { try apply($0, of: batch) })
            syncs.append(DeviceSync(deviceID: batch.device.id, at: batch.receivedAt, pendingChanges: batch.report?.pendingChanges,
                                    appVersion: batch.report?.appVersion.map { String($0.prefix(32)) }, protocolVersion: WireProtocol.version, pushed: true,
                                    report: batch.report.map { TerminalReport($0, receivedAt: batch.receivedAt) }))
        }
        try save(syncs)
        return results
    }

    /// One change: step 0 (an erased or purged record), the idempotency check, then the
    /// decision, held in memory until ``save()``.
    private mutating func apply(_ checked: CheckedChange, of batch: PushBatch) throws -> ChangeResult {
        let change = checked.change
        let key = change.record
        // Before idempotency: a change accepted before its record was erased or purged and sent
        // again (a rebase sends acknowledged changes again) must not be told it still stands.
        if let gone = gone(key) {
            let result = ChangeResult(changeId: change.id, outcome: .rejected, reason: gone)
            log.append(entry(change, batch, .rejected))
            if applied[change.id] == nil {
                applied[change.id] = result
                newlyApplied.append(AppliedChange(deviceID: batch.device.id, result: result))
            }
            return result
        }
        if let prior = applied[change.id] { return prior }
        let stored = records[key]
        var writer: Set<ReplicaID> = [batch.device.replicaID]
        if !decider.replicasToVouchFor(change, stored: stored, device: batch.device.replicaID).isEmpty {
            writer.formUnion(try replicaIDs(ofWorker: batch.device.worker))
        }
        let inherited = try stored.map { stored in
            try ChangeDecider.inheritedSupersedes(change, stored: stored) { dot in try refusal(key, dot) }
        } ?? []
        let result: ChangeResult
        switch decider.decide(checked, stored: stored, scope: batch.scope, writer: writer, inherited: inherited) {
        case .reject(let reason):
            result = ChangeResult(changeId: change.id, outcome: .rejected, reason: reason, recordInConflict: stored?.state.isInConflict ?? false)
            log.append(entry(change, batch, .rejected))
            if stored != nil { try remember(change, inherited: inherited, writer: writer) }
        case .merge(let state, let grids, let outcome, let changed, let encoded):
            log.append(entry(change, batch, ChangeOutcome(outcome)))
            if changed {
                records[key] = StoredRecord.make(key: key, state: state, grids: grids, previous: stored, at: batch.receivedAt, deadlines: deadlines)
                dirty[key] = (encoded, log.count - 1)
                let named = PhotoDigests.named(by: change)
                if !named.isEmpty { photoNames[key, default: []].formUnion(named) }
            }
            result = ChangeResult(changeId: change.id, outcome: ChangeOutcome(outcome), recordInConflict: state.isInConflict)
        }
        applied[change.id] = result
        newlyApplied.append(AppliedChange(deviceID: batch.device.id, result: result))
        return result
    }

    /// Why no change may touch `key` any more (step 0): it was erased, or purged.
    private func gone(_ key: RecordKey) -> RejectReason? {
        if erased.contains(key) {
            return RejectReason(code: RejectReason.erasedCode,
                                message: "this household was erased on request (PIPL); nothing may be written to it again. Drop the change")
        }
        if records[key] == nil && purged.contains(key) {
            return RejectReason(code: RejectReason.recordPurgedCode,
                                message: "this record was deleted and removed for good once every terminal had the delete; the change cannot bring it back")
        }
        return nil
    }

    /// Writes the results and refusals, then the log (which gives positions), then each changed
    /// record at the position of the last change that changed it. Positions come last: a store
    /// that orders them by commit holds that order from then until the commit.
    private func save(_ syncs: [DeviceSync]) throws {
        try transaction.saveApplied(newlyApplied)
        for refusal in pendingRefusals {
            try transaction.rememberRejected(refusal.key, dots: refusal.dots, supersedes: refusal.superseded)
        }
        // In one order (by device), so that two instances' group commits sharing devices never
        // wait on each other's device rows in a cycle.
        for sync in syncs.sorted(by: { $0.deviceID < $1.deviceID }) { try transaction.noteSync(sync) }
        if !photoNames.isEmpty { try transaction.notePhotos(photoNames) }
        let seqs = log.isEmpty ? [] : try transaction.appendLog(log)
        try transaction.save(dirty.sorted { $0.value.logIndex < $1.value.logIndex }.compactMap { key, change in
            guard var record = records[key] else { return nil }
            record.seq = seqs[change.logIndex]
            return RecordWrite(record: record, encoded: change.encoded, gridsChanged: record.grids != loadedGrids[key])
        })
    }

    private func entry(_ change: Change, _ batch: PushBatch, _ outcome: ChangeOutcome) -> ChangeLogEntry {
        ChangeLogEntry(changeID: change.id.rawValue, record: change.record, replica: change.author, clock: change.clock,
                 source: batch.device.id, outcome: outcome.rawValue, receivedAt: batch.receivedAt)
    }

    /// What the refused change that wrote `dot` had superseded: refused earlier in this group
    /// commit, or before.
    private func refusal(_ key: RecordKey, _ dot: Dot) throws -> [Dot]? {
        if let superseded = refusedDots[key]?[dot] { return superseded }
        return try transaction.rejectedSupersedes(key, dot: dot)
    }

    /// The first note for a dot stands, whether it was made earlier in this group commit or
    /// before, as the store keeps it.
    private mutating func remember(_ change: Change, inherited: [Dot], writer: Set<ReplicaID>) throws {
        let superseded = ChangeDecider.supersededByRefusal(change, inherited: inherited, writer: writer)
        guard !superseded.isEmpty else { return }
        for dot in change.dots where try refusal(change.record, dot) == nil {
            refusedDots[change.record, default: [:]][dot] = superseded
        }
        pendingRefusals.append((change.record, Array(change.dots), superseded))
    }

    private mutating func replicaIDs(ofWorker worker: String) throws -> [ReplicaID] {
        if let known = workerReplicas[worker] { return known }
        let found = try transaction.replicaIDs(ofWorker: worker)
        workerReplicas[worker] = found
        return found
    }
}
