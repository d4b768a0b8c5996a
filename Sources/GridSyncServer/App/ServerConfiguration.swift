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

    public init(host: String = "127.0.0.1", port: Int = 8080, databasePath: String = "gridsync.sqlite",
                limits: SyncLimits = SyncLimits(), adminTokenFile: String? = nil) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.limits = limits
        self.adminTokenFile = adminTokenFile
    }
}
