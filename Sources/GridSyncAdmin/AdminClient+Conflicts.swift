import Foundation
import GridSyncCore
import GridSyncProtocol

/// Which open conflicts to list: those under a street, community or grid, of one kind.
public struct ConflictFilter: Sendable, Hashable {
    public var under: GridPath?
    public var kind: RecordKind?

    public init(under: GridPath? = nil, kind: RecordKind? = nil) {
        self.under = under
        self.kind = kind
    }
}

/// Conflicts and quarantine. `Protocol/README.md`, "Admin: conflicts", "Admin: quarantine".
extension AdminClient {
    public func conflicts(_ filter: ConflictFilter = ConflictFilter()) async throws -> ConflictList {
        var query: [String: String] = [:]
        if let under = filter.under { query["under"] = under.description }
        if let kind = filter.kind { query["kind"] = kind.rawValue }
        return try await get(ConflictList.self, "v1/admin/conflicts", query: query)
    }

    /// - Parameter reveal: show members' names, phones and ID numbers unmasked (admin role; audited).
    public func conflict(_ key: RecordKey, reveal: Bool = false) async throws -> ConflictDetail {
        try await get(ConflictDetail.self, Self.recordPath("conflicts", key), query: reveal ? ["reveal": "true"] : [:])
    }

    public func resolve(_ key: RecordKey, _ request: ResolveRequest) async throws -> ResolveResponse {
        try await send(ResolveResponse.self, "POST", Self.recordPath("conflicts", key) + "/resolve", body: request)
    }

    public func quarantined() async throws -> QuarantineList {
        try await get(QuarantineList.self, "v1/admin/records/quarantined")
    }

    /// Sets a record aside: pull stops serving it until it is released.
    public func quarantine(_ key: RecordKey, reason: String) async throws {
        _ = try await send("POST", Self.recordPath("records", key) + "/quarantine", body: try WireCoding.encode(QuarantineRequest(reason: reason)))
    }

    public func release(_ key: RecordKey) async throws {
        _ = try await send("POST", Self.recordPath("records", key) + "/release", body: Data("{}".utf8))
    }

    static func recordPath(_ collection: String, _ key: RecordKey) -> String {
        "v1/admin/\(collection)/\(key.kind.rawValue)/\(key.id.rawValue)"
    }
}
