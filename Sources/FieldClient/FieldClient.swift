import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol
import Logging

/// What a grid worker's handset runs, minus the UI: a local SQLite replica of its grids, a
/// durable outbox, and a sync engine that survives lost signal, killed processes and wrong
/// clocks.
///
/// Every write lands in the replica and the outbox in one transaction, with no network. A
/// call to ``sync()`` pushes the outbox and pulls what changed, whenever there is signal.
///
/// For example:
/// ```swift
/// let client = try FieldClient(path: "replica.sqlite", transport: URLSessionTransport(baseURL: server))
/// try await client.enroll(code: codeFromCommandCentre, appVersion: "2.3.0")
/// try await client.create(patrol)
/// let report = try await client.sync()
/// ```
public actor FieldClient {
    nonisolated let pool: DatabasePool
    let transport: any SyncTransport
    let configuration: Configuration
    var random: SplitMix64
    let logger: Logger
    /// Read once: every write needs the replica id, and decoding it each time showed in profiles.
    var cachedIdentity: DeviceIdentity?
    /// Bytes moved since the counters were last saved.
    var unsavedBytes = (sent: 0, received: 0)
    /// Decoded rows, shared with write transactions (``RowCache``).
    nonisolated let rows = RowCache()
    /// Photo bytes, beside the replica.
    nonisolated let photoFiles: PhotoFiles
    /// Until when the server asked photo uploads to wait (a storm): calls before then send
    /// nothing. In memory only: a restarted app simply asks again.
    var photosDeferredUntil: ContinuousClock.Instant?

    /// Knobs with sensible defaults; tests and the simulator inject time and randomness.
    public struct Configuration: Sendable {
        public var appVersion: String
        public var retry: RetryPolicy
        /// Mints change ids. UUIDs by default; the simulator passes a seeded source.
        public var makeChangeID: @Sendable () -> String
        /// Waits between retries. Tests pass one that returns at once.
        public var sleep: @Sendable (Duration) async throws -> Void
        /// The handset's clock: recorded for people, never used to merge.
        public var now: @Sendable () -> Date
        public var seed: UInt64
        /// How long a photo's bytes stay on the handset after the server has them, unless
        /// pinned: storage on a handset is small, and the server keeps every photo.
        public var photoRetention: Duration
        /// How long acknowledged changes stay on the handset: a server restored from a backup
        /// up to this old gets every one of them again (Protocol/README.md, "Restores").
        public var sentRetention: Duration

        public init(appVersion: String = "1.0", retry: RetryPolicy = RetryPolicy(),
                    makeChangeID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() },
                    sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                    now: @escaping @Sendable () -> Date = Date.init, seed: UInt64 = UInt64.random(in: .min ... .max),
                    photoRetention: Duration = .seconds(3 * 86_400), sentRetention: Duration = .seconds(7 * 86_400)) {
            self.photoRetention = photoRetention
            self.sentRetention = sentRetention
            self.appVersion = appVersion
            self.retry = retry
            self.makeChangeID = makeChangeID
            self.sleep = sleep
            self.now = now
            self.seed = seed
        }
    }

    /// Opens (creating if needed) the replica at `path`.
    public init(path: String, transport: any SyncTransport, configuration: Configuration = Configuration(),
                logger: Logger = Logger(label: "gridsync.field-client")) throws {
        pool = try ReplicaDatabase.open(path: path)
        photoFiles = try PhotoFiles(replicaPath: path)
        self.transport = transport
        self.configuration = configuration
        self.random = SplitMix64(seed: configuration.seed)
        self.logger = logger
    }

    /// The enrolled identity, or `nil` before enrolment.
    public var identity: DeviceIdentity? {
        get throws {
            if let cachedIdentity { return cachedIdentity }
            cachedIdentity = try pool.read { db in try DeviceIdentity.load(db) }
            return cachedIdentity
        }
    }

    /// Forgets the cached identity after enrolment or a scope change.
    func reloadIdentity() throws {
        cachedIdentity = nil
        _ = try identity
    }

    func requireIdentity() throws -> DeviceIdentity {
        guard let identity = try identity else { throw FieldClientError.notEnrolled }
        return identity
    }
}

/// Who this handset is to the server.
public struct DeviceIdentity: Sendable, Hashable {
    public let deviceID: String
    public let replicaID: ReplicaID
    public let worker: String
    public let scope: [GridPath]
    let token: String
    let limits: SyncLimits

    static func load(_ db: Database) throws -> DeviceIdentity? {
        guard let device = try Meta.deviceID.get(db), let replica = try Meta.replicaID.get(db).flatMap(ReplicaID.init),
              let token = try Meta.token.get(db), let worker = try Meta.worker.get(db) else { return nil }
        let scope = try Meta.scope.get(db).map { try LocalCoding.decode([GridPath].self, Data($0.utf8)) } ?? []
        let limits = try Meta.limits.get(db).map { try LocalCoding.decode(SyncLimits.self, Data($0.utf8)) } ?? SyncLimits()
        return DeviceIdentity(deviceID: device, replicaID: replica, worker: worker, scope: scope, token: token, limits: limits)
    }
}

/// Why a client call failed, in words a worker or an app developer can act on.
public struct FieldClientError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notEnrolled, underReview, notFound, invalid, server, unauthorized, upgradeRequired
        /// No connection to the server, every attempt: a basement, not a broken server.
        case unreachable
    }
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static let notEnrolled = FieldClientError(.notEnrolled, "this handset is not enrolled: enter the code from the command centre")
}
