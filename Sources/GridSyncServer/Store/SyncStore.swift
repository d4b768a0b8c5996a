import Foundation
import GridSyncCore

/// Where the server keeps everything, as narrow as a store can be: it loads, saves and keeps a
/// transaction atomic. Every rule (merging a push, resolving a conflict, the fleet rollup,
/// staleness, pull paging) lives in ``SyncEngine``, written once for every store.
///
/// A store is one of these, plus the seven concerns a transaction offers: ``RecordLog``
/// (records and the change log), ``PhotoIndex`` (which records name which blobs), ``DeviceRegistry`` (devices and tokens), ``GridDirectory``
/// (the hierarchy and assignments), ``AuditTrail``, ``Retention`` (tombstones purged) and
/// ``ErasureLedger`` (households erased, and who has confirmed). `Tests/GridSyncServerTests/Store`
/// holds the conformance suite every store must pass.
///
/// ## The contract
/// - **Atomic.** Everything `write`'s body does commits together, or nothing does, when the
///   body throws or the process dies.
/// - **Serialised per record.** Two write transactions that ``RecordLog/lock(_:)`` the same
///   record never overlap; a transaction reads what every earlier one committed.
/// - **The cursor invariant.** Change-log positions (``RecordLog/appendLog(_:)``) grow in
///   commit order: once a reader has seen position `p`, every position below `p` that will
///   ever exist is already committed and visible. So a pull served up to cursor `c` never
///   misses a change that commits after `c` was served: that change's position is above `c`.
///   A plain sequence breaks this with several writers (a transaction that took 101 can commit
///   after one that took 102 was served); a store must order positions by commit.
/// - **Durable before answered.** `write` returns only once its commit is durable.
/// - Failures that a retry can cure (a full disk, a lost connection, a lock timeout) are thrown
///   as ``StoreError`` `.unavailable`, which clients are told to retry.
public protocol SyncStore: Sendable {
    /// Runs `body` in one write transaction and commits it. The body runs synchronously, on
    /// whatever thread the store picks: it must not block on anything but the transaction.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T
    /// Runs `body` on a consistent snapshot. Writes inside it fail.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T
    /// The replica id this server instance writes resolutions under: `server` where one
    /// process owns the store, and one minted per instance where several share it, so that two
    /// instances' resolutions never share a dot.
    func serverReplica() async throws -> ReplicaID
    /// Where this store's photos go by default: beside an SQLite file, inside PostgreSQL, so
    /// that every instance sharing the store shares its blobs.
    func defaultBlobStore() throws -> any BlobStore
    /// This store's history (``StoreEpoch``): fixed while servers run on it.
    func epoch() async throws -> String
    /// Starts a new history, for a store restored from a backup, and returns its epoch: every
    /// handset's next pull rebases, and the server's own resolutions take a replica id never
    /// used before, since the restored counters went back. Run it while no server serves.
    func renewEpoch() async throws -> String
    /// Wipes what an erasure removed from wherever the store still keeps old bytes (a write-ahead
    /// log, freed pages, dead row versions), so that no file holds an erased value. Returns false
    /// when it could not finish now (readers held on): the housekeeping run tries again.
    func scrub() async throws -> Bool
}

/// One open transaction: the seven concerns a store keeps.
public typealias StoreTransaction = RecordLog & PhotoIndex & DeviceRegistry & GridDirectory & AuditTrail & Retention & ErasureLedger
