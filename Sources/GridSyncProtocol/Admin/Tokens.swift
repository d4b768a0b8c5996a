/// What an ops token may do. Each role includes the ones before it.
public enum OpsRole: String, Codable, Sendable, CaseIterable, Comparable {
    /// Read conflicts, devices, grids, status and audit.
    case viewer
    /// Also resolve conflicts.
    case resolver
    /// Also enrol and revoke devices, import grids and issue tokens.
    case admin

    public static func < (lhs: OpsRole, rhs: OpsRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// `POST /v1/admin/tokens`: issue an ops token. `Protocol/README.md`, "Admin: tokens".
public struct OpsTokenRequest: Codable, Sendable, Hashable {
    public var name: String
    public var role: OpsRole

    public init(name: String, role: OpsRole) {
        self.name = name
        self.role = role
    }
}

/// The token itself appears only in this response.
public struct OpsTokenResponse: Codable, Sendable, Hashable {
    public var tokenId: String
    public var name: String
    public var role: OpsRole
    public var token: String

    public init(tokenId: String, name: String, role: OpsRole, token: String) {
        self.tokenId = tokenId
        self.name = name
        self.role = role
        self.token = token
    }
}
