import GridSyncCore
import GridSyncProtocol

/// The grid hierarchy, fleet status and the audit log. `Protocol/README.md`, "Admin: grids",
/// "Admin: status", "Admin: audit".
extension AdminClient {
    public func hierarchy() async throws -> GridHierarchy {
        try await get(GridHierarchy.self, "v1/admin/grids")
    }

    /// Replaces the whole hierarchy and its assignments; returns what the server saved.
    @discardableResult
    public func replaceHierarchy(_ hierarchy: GridHierarchy) async throws -> GridHierarchy {
        try await send(GridHierarchy.self, "PUT", "v1/admin/grids", body: hierarchy)
    }

    public func status() async throws -> FleetStatus {
        try await get(FleetStatus.self, "v1/admin/status")
    }

    /// - Parameter since: an RFC 3339 time; entries from then on.
    public func audit(since: String? = nil, limit: Int? = nil) async throws -> AuditPage {
        var query: [String: String] = [:]
        if let since { query["since"] = since }
        if let limit { query["limit"] = String(limit) }
        return try await get(AuditPage.self, "v1/admin/audit", query: query)
    }
}
