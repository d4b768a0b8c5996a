import Foundation
import GridSyncCore
import GridSyncProtocol

/// Everything the server does with what it keeps, written once for every store: merging a
/// push, paging a pull, resolving a conflict, quarantine, enrolment, the fleet rollup.
///
/// The store (``SyncStore``) only loads, saves and keeps a transaction atomic, so the
/// embedded SQLite store and the PostgreSQL store behave the same by construction, and one
/// conformance suite checks that they do. Merge decisions themselves are ``ChangeDecider``'s,
/// and pure.
public struct SyncEngine: Sendable {
    public let store: any SyncStore
    let decider: ChangeDecider
    /// The deadlines work orders are given as their moves arrive.
    public let deadlines: DeadlinePolicy

    public init(store: any SyncStore, decider: ChangeDecider = ChangeDecider(), deadlines: DeadlinePolicy = .standard) {
        self.store = store
        self.decider = decider
        self.deadlines = deadlines
    }
}

extension SyncEngine {
    /// The replica id resolutions are written under where one server process owns the store.
    public static let singleInstanceReplica = ReplicaID("server")!
}
