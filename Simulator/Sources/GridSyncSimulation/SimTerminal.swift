import FieldClient
import Foundation
import GridSyncAdmin
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GridSyncCore
import GridSyncProtocol

/// One simulated handset: a real ``FieldClient`` with its own SQLite file and seeded habits.
actor SimTerminal {
    let profile: Hierarchy.Terminal
    let index: Int
    /// The open client, if any: large days close idle ones (``rest()``) so that thousands of
    /// replica files are not all open at once, as a handset's app is not always running.
    private var openClient: FieldClient?
    /// This generation's change ids: kept across closing and reopening the client, so a seed
    /// replays to the same ids and no id is ever minted twice.
    private var ids: ChangeIDSource
    private(set) var generation = 0
    /// The last settle this terminal took part in: what it has seen of everyone else.
    private(set) var knownSettle = -1
    /// Every change this terminal (in any generation) created.
    private(set) var created: [Change] = []
    /// The replica id of each generation, for naming dots in the digest.
    private(set) var replicas: [ReplicaID] = []
    let skew: TimeInterval
    /// Each round's photo of its first finding, which a work order reported from it carries.
    var findingPhotos: [Int: PhotoReference] = [:]
    private let context: Context
    var contextValue: Context { context }

    /// What every terminal shares: where files go, the network, the fault mix, the seed.
    struct Context: Sendable {
        let folder: URL
        /// The server instances, behind a load balancer (``BalancedTransport``) when several.
        let servers: [URL]
        let session: URLSession
        let admin: AdminClient
        let seed: UInt64
        let faults: Scenario.Faults
        /// Distinguishes this run's registrations from an earlier run's on the same server.
        let runID: String
        /// Where photo requests go when their uploads may be cut (a ``LinkProxy``), over a
        /// session of their own, as a phone uploads in the background apart from its syncs.
        var photoLink: URL? = nil
        var photoSession: URLSession? = nil
        /// Counts every request for the progress line and the report's timeline.
        var meter: DayMeter? = nil
    }

    init(profile: Hierarchy.Terminal, index: Int, skew: TimeInterval, context: Context) {
        self.profile = profile
        self.index = index
        self.skew = skew
        self.context = context
        // The client opens on first use: a city's terminals are not all open at once.
        ids = ChangeIDSource(prefix: "t\(index)g0")
    }

    /// The terminal's client, reopened from its replica file if it was put to rest.
    var client: FieldClient {
        get throws {
            if let openClient { return openClient }
            let reopened = try Self.makeClient(index: index, generation: generation, skew: skew, ids: ids, context: context)
            openClient = reopened
            return reopened
        }
    }

    /// Closes the client (its replica file stays); the next use reopens it, as an app restarts.
    func rest() {
        openClient = nil
    }

    static func makeClient(index: Int, generation: Int, skew: TimeInterval, ids: ChangeIDSource, context: Context) throws -> FieldClient {
        let seed = context.seed &+ UInt64(index) &* 1_000_003 &+ UInt64(generation) &* 7_919
        var transport = context.transport(start: index + generation)
        let faults = context.faults
        if faults.dropRequest + faults.dropResponse + faults.truncate + faults.delay > 0 {
            transport = FaultInjectingTransport(wrapping: transport, seed: seed, rates: .init(
                dropRequest: faults.dropRequest, dropResponse: faults.dropResponse, truncate: faults.truncate,
                delay: faults.delay, delayLength: .milliseconds(faults.delayMilliseconds)))
        }
        if let link = context.photoLink {
            transport = PhotoRoute(records: transport, photos: URLSessionTransport(baseURL: link, session: context.photoSession ?? context.session))
        }
        if let meter = context.meter { transport = MeteredTransport(wrapped: transport, meter: meter) }
        return try FieldClient(
            path: context.folder.appendingPathComponent("terminal-\(index)-\(generation).sqlite").path,
            transport: transport,
            configuration: .init(appVersion: "sim", retry: RetryPolicy(maxAttempts: 12, initialDelay: .milliseconds(20), maxDelay: .milliseconds(500)),
                                 makeChangeID: { ids.next() }, now: { Date().addingTimeInterval(skew) }, seed: seed))
    }

    func enroll() async throws {
        let code = try await context.admin.enrollmentCode(worker: profile.worker, grids: [profile.grid], key: "\(context.runID)-t\(index)g\(generation)")
        let identity = try await client.enroll(code: code)
        replicas.append(identity.replicaID)
    }

    /// Records a change this terminal made.
    func note(_ change: Change?) {
        if let change { created.append(change) }
    }

    /// A sync; on success the terminal has seen everything up to `settle`, if given.
    func sync(settle: Int?) async throws -> SyncReport {
        let report = try await client.sync()
        if let settle { knownSettle = settle }
        return report
    }

    /// Re-install: export the outbox, start a fresh replica under a new enrolment, pull the
    /// whole scope, then import the unsent work (sent at the next storm).
    func reinstall(knownSettle settle: Int) async throws {
        let export = try await client.exportOutbox()
        generation += 1
        ids = ChangeIDSource(prefix: "t\(index)g\(generation)")
        openClient = try Self.makeClient(index: index, generation: generation, skew: skew, ids: ids, context: context)
        try await enroll()
        _ = try await client.sync()
        knownSettle = settle
        try await client.importOutbox(export)
    }

    /// Uploads the photos whose records the server holds; how many went. Told to wait (a
    /// storm), it stops there, as the app does after a sync; `waiting` waits the pause out
    /// and tries again, as the app's scheduled retry does, a bounded number of times.
    func uploadPhotos(waiting: Bool = false) async throws -> Int {
        var uploaded = 0
        for _ in 0..<(waiting ? 30 : 1) {
            let report = try await client.uploadPhotos()
            uploaded += report.uploaded
            guard let pause = report.deferredFor else { break }
            if waiting { try await Task.sleep(for: pause) }
        }
        return uploaded
    }

    func status() async throws -> SyncStatus { try await client.status() }
    func replica() async throws -> [RecordKey: RecordState] { try await client.replicaStates() }
    func replicaID() async throws -> ReplicaID? { try await client.identity?.replicaID }
}

extension SimTerminal.Context {
    /// How a terminal reaches the servers: straight to the one, or through the balancer.
    func transport(start: Int) -> any SyncTransport {
        servers.count == 1 ? URLSessionTransport(baseURL: servers[0], session: session)
            : BalancedTransport(servers: servers, session: session, start: start)
    }
}

/// Deterministic change ids: prefix and counter, so a seed replays to the same ids.
final class ChangeIDSource: Sendable {
    private let prefix: String
    private let counter = Synchronization.Atomic<Int>(0)

    init(prefix: String) { self.prefix = prefix }

    func next() -> String {
        "\(prefix)-\(counter.add(1, ordering: .relaxed).newValue)"
    }
}

import Synchronization
