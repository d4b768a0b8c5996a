import Foundation
import GridSyncCore
import GridSyncProtocol

/// The grid hierarchy and who covers which grids, inside one transaction.
public protocol GridDirectory {
    func hierarchy() throws -> GridHierarchy
    /// Replaces the hierarchy and every assignment.
    func replaceHierarchy(_ hierarchy: GridHierarchy) throws
    /// Adds assignments; ones already there stay.
    func assign(worker: String, grids: [GridPath]) throws
    /// The scope roots a worker covers now, sorted.
    func scope(ofWorker worker: String) throws -> [GridPath]
    /// Every active device with its worker's grids and last sync, for the fleet rollup.
    func activeDeviceGrids() throws -> [(deviceID: String, lastSyncAt: Date?, grid: GridPath)]
}
