import Foundation
import GridSyncCore
import GridSyncProtocol

/// Records and the change log, inside one transaction.
public protocol RecordLog {
    /// Holds these records for the rest of the transaction: another transaction that locks
    /// any of them waits until this one ends. Call before reading what a decision rests on.
    func lock(_ keys: [RecordKey]) throws
    /// The records that exist among `keys`.
    func records(_ keys: [RecordKey]) throws -> [RecordKey: StoredRecord]
    /// Writes records' new versions.
    func save(_ writes: [RecordWrite]) throws

    /// Appends entries to the change log and returns their positions, in order. Positions grow
    /// in commit order (the cursor invariant, see ``SyncStore``).
    func appendLog(_ entries: [ChangeLogEntry]) throws -> [Int64]
    /// The newest position a record carries, 0 when there is none.
    func currentSeq() throws -> Int64
    /// For each replica, the clock of its latest accepted change to the record.
    func latestClocks(of key: RecordKey) throws -> [ReplicaID: VectorClock]

    /// The results already given for these change ids (idempotency by change id).
    func appliedResults(_ ids: [ChangeID]) throws -> [ChangeID: ChangeResult]
    /// Keeps each change's result, for a retried push of the same change.
    func saveApplied(_ results: [AppliedChange]) throws

    /// What the refused change that wrote `dot` to the record had superseded, if one did.
    func rejectedSupersedes(_ key: RecordKey, dot: Dot) throws -> [Dot]?
    /// Notes, for each dot a refused change wrote, what it superseded; the first note stands.
    func rememberRejected(_ key: RecordKey, dots: [Dot], supersedes: [Dot]) throws

    /// Records within `roots` (current or left grids) whose position lies in
    /// `seqAfter...seqAtMost`, oldest first, at most `limit`; quarantined ones are left out.
    func changedRecords(within roots: [GridPath], seqAfter: Int64, seqAtMost: Int64, limit: Int) throws -> [StoredRow]
    /// How many records within `roots` (current or left grids) have a position above
    /// `seqAfter`: what a terminal whose cursor is there has yet to pull.
    func changedCount(within roots: [GridPath], seqAfter: Int64) throws -> Int
    /// Keys of records in conflict, oldest conflict first, optionally under a root and of a kind.
    func conflictKeys(under root: GridPath?, kind: RecordKind?) throws -> [RecordKey]
    /// Keys of the records of `kind` whose current grid lies under `root` (everywhere when nil),
    /// in key order: the work orders a command centre lists and counts.
    func recordKeys(ofKind kind: RecordKind, under root: GridPath?) throws -> [RecordKey]
    /// One grid per current grid of each record in conflict, for the fleet rollup.
    func conflictGrids() throws -> [GridPath]
    /// Accepted changes received since `since`, counted per current grid of their record.
    func changeCounts(since: Date) throws -> [GridPath: Int]

    /// How many change ids were applied (accepted) more than once: zero unless idempotency by
    /// change id failed. For checks, such as the simulator's.
    func changesAppliedTwice() throws -> Int

    /// Whether the record is quarantined; `nil` when there is no such record.
    func isQuarantined(_ key: RecordKey) throws -> Bool?
    /// Sets the quarantine mark (with a reason) or clears it (`reason` nil). Clearing also moves
    /// the record to position `seq`.
    func setQuarantine(_ key: RecordKey, reason: String?, at: Date, seq: Int64?) throws
    func quarantined() throws -> [QuarantinedRecord]
}

/// A record's new version, as ``RecordLog/save(_:)`` writes it.
public struct RecordWrite: Sendable {
    public var record: StoredRecord
    /// `record.state`'s canonical JSON when the engine already has it.
    public var encoded: Data?
    /// The current grids differ from the stored ones, which then stay listed as grids the
    /// record left, so that their devices are sent its next version and learn it moved.
    public var gridsChanged: Bool

    public init(record: StoredRecord, encoded: Data?, gridsChanged: Bool) {
        self.record = record
        self.encoded = encoded
        self.gridsChanged = gridsChanged
    }

    /// The state as stored: canonical JSON.
    public var stateBytes: Data { encoded ?? CompactJSON.encode(record.state) }

    /// A work order's timing as stored: canonical JSON, or `nil` for other kinds.
    public var timingBytes: Data? { record.timing.flatMap { try? WireCoding.encode($0) } }
}

/// One change-log line.
public struct ChangeLogEntry: Sendable, Hashable {
    public var changeID: String
    public var record: RecordKey
    /// The replica that wrote it; `nil` for entries no replica wrote (a release).
    public var replica: ReplicaID?
    public var clock: VectorClock?
    /// The device that pushed it, or the ops actor.
    public var source: String
    /// A ``ChangeOutcome`` raw value, or `released`.
    public var outcome: String
    public var receivedAt: Date

    public init(changeID: String, record: RecordKey, replica: ReplicaID?, clock: VectorClock?, source: String, outcome: String, receivedAt: Date) {
        self.changeID = changeID
        self.record = record
        self.replica = replica
        self.clock = clock
        self.source = source
        self.outcome = outcome
        self.receivedAt = receivedAt
    }
}

/// A change's result as kept for idempotency.
public struct AppliedChange: Sendable, Hashable {
    public var deviceID: String
    public var result: ChangeResult
    public init(deviceID: String, result: ChangeResult) {
        self.deviceID = deviceID
        self.result = result
    }
}

/// A record row as pull reads it: the key as stored text (a damaged row is reported, never
/// fatal), and the state's stored bytes.
public struct StoredRow: Sendable, Hashable {
    public var kind: String
    public var id: String
    public var grids: [GridPath]
    public var seq: Int64
    public var inConflict: Bool
    public var deleted: Bool
    public var state: Data
    /// A work order's ``CaseTiming`` as stored (canonical JSON), spliced into the envelope.
    public var timing: Data?
    /// The record was erased (``ErasureLedger``): pull marks it so.
    public var erased: Bool

    public init(kind: String, id: String, grids: [GridPath], seq: Int64, inConflict: Bool, deleted: Bool, state: Data, timing: Data? = nil,
                erased: Bool = false) {
        self.erased = erased
        self.kind = kind
        self.id = id
        self.grids = grids
        self.seq = seq
        self.inConflict = inConflict
        self.deleted = deleted
        self.state = state
        self.timing = timing
    }
}
