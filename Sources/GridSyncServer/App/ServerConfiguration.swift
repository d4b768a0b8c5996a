import Foundation
import GridSyncProtocol

/// How to run a server: where it listens, where it keeps data, and its limits.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port, as tests do.
    public var port: Int
    /// The SQLite file; created and migrated on first start.
    public var databasePath: String
    public var limits: SyncLimits
    /// When set and the server has no ops token yet, an admin token is created and written
    /// here (mode 0600), so scripts and CI can bootstrap without a prompt.
    public var adminTokenFile: String?
    /// How long a connection may go without a byte from its client: a request's head not yet
    /// complete, a body that stopped arriving, or an idle keep-alive. Then it is closed, so a
    /// slow or vanished client holds a connection for this long at most.
    public var idleTimeout: Duration
    /// How long one request's body may take to arrive, however it trickles in; then `408`.
    public var bodyTimeout: Duration
    /// Open connections at most; further ones wait in the listen queue until one closes. The
    /// default stays under the process's file-descriptor limit, so the server never fails to
    /// accept for want of descriptors, and `/health` is still answered under a flood.
    public var maxConnections: Int
    /// How long each step of a work order may take (`--deadlines`).
    public var deadlines: DeadlinePolicy
    /// How much sync work runs at once, and how long the rest may queue before `503`.
    public var admission: AdmissionPolicy
    /// How long a photo blob no record names is kept (a record may still be on its way), and
    /// how long an upload may sit idle before its chunks are dropped.
    public var photoGracePeriod: Duration
    /// When tombstones are purged (`--tombstone-days`, `--silent-terminal-days`).
    public var retention: RetentionPolicy

    public init(host: String = "127.0.0.1", port: Int = 8080, databasePath: String = "gridsync.sqlite",
                limits: SyncLimits = SyncLimits(), adminTokenFile: String? = nil, idleTimeout: Duration = .seconds(30),
                bodyTimeout: Duration = .seconds(120), maxConnections: Int = ServerConfiguration.defaultMaxConnections,
                deadlines: DeadlinePolicy = .standard, admission: AdmissionPolicy = AdmissionPolicy(),
                photoGracePeriod: Duration = .seconds(7 * 86_400), retention: RetentionPolicy = RetentionPolicy()) {
        self.photoGracePeriod = photoGracePeriod
        self.retention = retention
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.limits = limits
        self.adminTokenFile = adminTokenFile
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
        self.deadlines = deadlines
        self.admission = admission
    }

    /// The file-descriptor limit less room for the database, logs and the listening socket.
    public static var defaultMaxConnections: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur > 512 else { return 1_024 }
        return Int(min(limit.rlim_cur, 1_000_000)) - 256
    }
}
