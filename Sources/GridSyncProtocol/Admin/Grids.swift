import GridSyncCore

/// The hierarchy and who covers what: `GET` and `PUT /v1/admin/grids`.
/// `Protocol/README.md`, "Admin: grids". A `PUT` replaces both lists atomically.
public struct GridHierarchy: Codable, Sendable, Hashable {
    public var grids: [GridNode]
    public var assignments: [Assignment]

    public init(grids: [GridNode], assignments: [Assignment]) {
        self.grids = grids
        self.assignments = assignments
    }
}

/// One node of the hierarchy. Parents are implied by the path and need not be listed.
public struct GridNode: Codable, Sendable, Hashable {
    public var path: GridPath
    /// A human name, such as 沙头街道.
    public var name: String?

    public init(path: GridPath, name: String? = nil) {
        self.path = path
        self.name = name
    }
}

/// The grids one worker covers; every device enrolled for the worker gets this scope.
public struct Assignment: Codable, Sendable, Hashable {
    public var worker: String
    public var grids: [GridPath]

    public init(worker: String, grids: [GridPath]) {
        self.worker = worker
        self.grids = grids
    }
}
