/// Parses the stored `grids` text of many rows, each distinct text once.
///
/// A pull page reads hundreds of records from the same few grids; parsing and validating each
/// row's paths again was a twentieth of a storm's server CPU.
public struct GridPathMemo {
    private var parsed: [String: [GridPath]] = [:]

    public init() {}

    public mutating func list(spaceSeparated text: String) -> [GridPath] {
        if let known = parsed[text] { return known }
        let grids = GridPath.list(spaceSeparated: text)
        parsed[text] = grids
        return grids
    }
}
