import Foundation
import GridSyncCore
import GridSyncProtocol

/// The command centre's view of the fleet, street by street: terminals, who synced today, who
/// is stale, open conflicts and today's accepted changes.
struct FleetRollup {
    /// A terminal that has not synced for this long is stale: a worker patrols at least twice a
    /// day, so a day without a sync means a handset left in a drawer, or broken.
    static let staleAfter: TimeInterval = 86_400

    private var streets: [GridPath: StreetStatus] = [:]

    /// The street a grid belongs to: the first two levels (district, street).
    static func street(of grid: GridPath) -> GridPath {
        GridPath(grid.segments.prefix(2).joined(separator: "/")) ?? grid
    }

    static func status(_ transaction: any StoreTransaction, now: Date, dayStart: Date) throws -> FleetStatus {
        var rollup = FleetRollup()
        var counted = Set<String>()
        for device in try transaction.activeDeviceGrids() {
            // A terminal counts once per street, however many of its grids lie there.
            guard counted.insert(device.deviceID + "|" + street(of: device.grid).description).inserted else { continue }
            rollup.bump(device.grid) { status in
                status.terminals += 1
                if let last = device.lastSyncAt, last >= dayStart { status.syncedToday += 1 }
                if device.lastSyncAt.map({ now.timeIntervalSince($0) > staleAfter }) ?? true { status.stale += 1 }
            }
        }
        for grid in try transaction.conflictGrids() {
            rollup.bump(grid) { $0.openConflicts += 1 }
        }
        for (grid, count) in try transaction.changeCounts(since: dayStart) {
            rollup.bump(grid) { $0.changesToday += count }
        }
        return FleetStatus(streets: rollup.streets.keys.sorted().map { rollup.streets[$0]! }, generatedAt: now)
    }

    private mutating func bump(_ grid: GridPath, _ update: (inout StreetStatus) -> Void) {
        let key = Self.street(of: grid)
        var status = streets[key] ?? StreetStatus(street: key, terminals: 0, syncedToday: 0, stale: 0, openConflicts: 0, changesToday: 0)
        update(&status)
        streets[key] = status
    }
}

extension SyncEngine {
    public func fleetStatus(now: Date, dayStart: Date) async throws -> FleetStatus {
        try await store.read { try FleetRollup.status($0, now: now, dayStart: dayStart) }
    }
}
