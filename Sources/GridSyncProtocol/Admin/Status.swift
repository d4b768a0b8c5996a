import Foundation
import GridSyncCore

/// `GET /v1/admin/status`: fleet health per street. `Protocol/README.md`, "Admin: status".
public struct FleetStatus: Codable, Sendable, Hashable {
    public var streets: [StreetStatus]
    public var generatedAt: Date

    public init(streets: [StreetStatus], generatedAt: Date) {
        self.streets = streets
        self.generatedAt = generatedAt
    }
}

public struct StreetStatus: Codable, Sendable, Hashable {
    public var street: GridPath
    public var terminals: Int
    public var syncedToday: Int
    public var stale: Int
    public var openConflicts: Int
    public var changesToday: Int

    public init(street: GridPath, terminals: Int, syncedToday: Int, stale: Int, openConflicts: Int, changesToday: Int) {
        self.street = street
        self.terminals = terminals
        self.syncedToday = syncedToday
        self.stale = stale
        self.openConflicts = openConflicts
        self.changesToday = changesToday
    }
}

/// `GET /health`: liveness, the versions spoken and the limits in force.
public struct HealthResponse: Codable, Sendable, Hashable {
    public var status: String
    public var protocolVersions: [Int]
    public var limits: SyncLimits

    public init(status: String = "ok", protocolVersions: [Int] = WireProtocol.supportedVersions, limits: SyncLimits) {
        self.status = status
        self.protocolVersions = protocolVersions
        self.limits = limits
    }
}
