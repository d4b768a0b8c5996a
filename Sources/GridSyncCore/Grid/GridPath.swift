/// A place in the grid hierarchy, written as a path from the district down:
/// `futian/shatou/community-03/grid-12`, optionally with a micro-grid below.
///
/// Depth names the level: 1 district (区), 2 street (街道), 3 community (社区), 4 grid (网格),
/// 5 micro-grid (微网格). Scope follows the tree, so a community supervisor's path covers every
/// grid below it.
public struct GridPath: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let segments: [String]

    public static let maximumDepth = 5
    public static let maximumSegmentLength = 48

    /// Parses a path; `nil` when it is not well formed. ``GridPath/parse(_:)`` says why.
    public init?(_ text: String) {
        guard case .success(let path) = GridPath.parse(text) else { return nil }
        self = path
    }

    private init(validSegments: [String]) {
        self.segments = validSegments
    }

    /// Lower-case letters, digits and `-`, 1 to 48 each, 1 to 5 segments, no empty segment.
    public static func parse(_ text: String) -> Result<GridPath, ValidationError> {
        guard !text.isEmpty else { return .failure(.init(.missing, field: "grid", "grid path is empty")) }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= maximumDepth else {
            return .failure(.init(.malformedGridPath, field: "grid", "grid path is deeper than \(maximumDepth) levels"))
        }
        for part in parts {
            guard (1...maximumSegmentLength).contains(part.utf8.count),
                  part.utf8.allSatisfy(isAllowed) else {
                return .failure(.init(
                    .malformedGridPath, field: "grid",
                    "grid path segments are 1-\(maximumSegmentLength) of [a-z0-9-], separated by '/'"))
            }
        }
        return .success(GridPath(validSegments: parts))
    }

    public var level: GridLevel { GridLevel(depth: segments.count) }

    public var description: String { segments.joined(separator: "/") }

    /// True when `self` is `ancestor` or lies below it: the scoping question.
    public func isWithin(_ ancestor: GridPath) -> Bool {
        ancestor.segments.count <= segments.count
            && zip(ancestor.segments, segments).allSatisfy { $0 == $1 }
    }

    /// The path one level up, or `nil` at the district.
    public var parent: GridPath? {
        segments.count > 1 ? GridPath(validSegments: Array(segments.dropLast())) : nil
    }

    /// A path one level down.
    public func child(_ segment: String) -> GridPath? {
        GridPath(description + "/" + segment)
    }

    public static func < (lhs: GridPath, rhs: GridPath) -> Bool {
        lhs.segments.lexicographicallyPrecedes(rhs.segments)
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "-")
    }
}

/// The level a ``GridPath`` names.
public enum GridLevel: String, Sendable, Codable {
    case district, street, community, grid, microGrid

    init(depth: Int) {
        switch depth {
        case 1: self = .district
        case 2: self = .street
        case 3: self = .community
        case 4: self = .grid
        default: self = .microGrid
        }
    }
}

extension GridPath: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        switch GridPath.parse(try container.decode(String.self)) {
        case .success(let path): self = path
        case .failure(let error):
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Sequence where Element == GridPath {
    /// True when `path` lies within any of these scope roots.
    public func covers(_ path: GridPath) -> Bool {
        contains { path.isWithin($0) }
    }
}

extension GridPath {
    /// Reads a list of paths kept as one space-separated column (paths hold no spaces), as
    /// the stores and the handset's index keep a record's grids; unreadable parts are skipped.
    public static func list(spaceSeparated text: String) -> [GridPath] {
        text.split(separator: " ").compactMap { GridPath(String($0)) }
    }
}

extension Set where Element == GridPath {
    /// True when `path` lies within any of these scope roots: a walk up `path`'s ancestors,
    /// at most five lookups, so that checking every assignment of a city-sized import against
    /// every grid it lists stays linear.
    public func covers(_ path: GridPath) -> Bool {
        var candidate: GridPath? = path
        while let current = candidate {
            if contains(current) { return true }
            candidate = current.parent
        }
        return false
    }
}
