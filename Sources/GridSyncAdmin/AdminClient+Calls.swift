import Foundation
import GridSyncCore
import GridSyncProtocol

/// The admin calls tools make by name, typed. `Protocol/README.md`, "Admin API".
extension AdminClient {
    public func replaceHierarchy(_ hierarchy: GridHierarchy) async throws {
        _ = try await send("PUT", "v1/admin/grids", body: try WireCoding.encode(hierarchy))
    }

    /// A one-time enrolment code for a terminal of `worker`. `key` names this registration, so
    /// that a retry after an answer lost on the way never registers a second device.
    public func enrollmentCode(worker: String, grids: [GridPath], key: String) async throws -> String {
        try await sendIdempotent(DeviceEnrollment.self, "POST", "v1/admin/devices", body: DeviceEnrollmentRequest(worker: worker, grids: grids),
                                 key: key).enrollmentCode
    }

    public func conflict(_ key: RecordKey) async throws -> ConflictDetail {
        try await get(ConflictDetail.self, "v1/admin/conflicts/\(key.kind.rawValue)/\(key.id.rawValue)")
    }

    public func conflicts(kind: RecordKind) async throws -> ConflictList {
        try await get(ConflictList.self, "v1/admin/conflicts", query: ["kind": kind.rawValue])
    }

    public func resolve(_ key: RecordKey, _ request: ResolveRequest) async throws -> ResolveResponse {
        try await send(ResolveResponse.self, "POST", "v1/admin/conflicts/\(key.kind.rawValue)/\(key.id.rawValue)/resolve", body: request)
    }

    /// Moves a work order. A move whose answer was lost and that is sent again finds the order
    /// already moved (`illegal_transition`): it is done, not failed.
    public func moveOrder(_ id: RecordID, _ request: OrderMoveRequest) async throws {
        do {
            _ = try await send("POST", "v1/admin/orders/\(id.rawValue)/move", body: try WireCoding.encode(request))
        } catch let error as AdminError where error.kind != .unreachable {
            guard try await order(id).order.states == [request.to] else { throw error }
        }
    }

    public func order(_ id: RecordID) async throws -> OrderDetail {
        try await get(OrderDetail.self, "v1/admin/orders/\(id.rawValue)")
    }

    public func orders() async throws -> OrderList {
        try await get(OrderList.self, "v1/admin/orders")
    }

    public func orderStats() async throws -> OrderStats {
        try await get(OrderStats.self, "v1/admin/orders/stats")
    }

    /// A photo's bytes, or `nil` when the server does not hold it.
    public func photo(_ digest: BlobDigest) async throws -> Data? {
        do {
            return try await send("GET", "v1/admin/blobs/\(digest.hex)/content", body: nil)
        } catch let error as AdminError where error.kind == .notFound {
            return nil
        }
    }

    /// Erases a household on request (PIPL).
    public func erase(_ id: RecordID, reason: String) async throws -> ErasureReport {
        try await send(ErasureReport.self, "POST", "v1/admin/households/\(id.rawValue)/erase", body: EraseRequest(reason: reason))
    }

    public func erasures() async throws -> ErasureList {
        try await get(ErasureList.self, "v1/admin/households/erasures")
    }
}
