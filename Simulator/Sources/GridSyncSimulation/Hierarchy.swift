import GridSyncCore

/// The district the scenario describes: streets, communities and grids, one grid worker per
/// grid, and sunk-down cadres placed on some of those grids.
struct Hierarchy {
    struct Terminal: Hashable {
        /// Stable across re-installs and runs: the name the digest and the ledger use.
        let worker: String
        let grid: GridPath
        let isCadre: Bool
    }

    let district: GridPath
    let grids: [GridPath]
    let terminals: [Terminal]

    init(_ scenario: Scenario) {
        district = GridPath(scenario.district)!
        let cadres = Int((Double(scenario.terminals) * scenario.cadreShare).rounded())
        let workers = max(1, scenario.terminals - cadres)
        let streets = max(1, min(scenario.streets, workers))
        let communities = max(1, scenario.communitiesPerStreet)
        var grids: [GridPath] = []
        for index in 0..<workers {
            let street = index % streets
            let community = (index / streets) % communities
            let grid = index / (streets * communities)
            grids.append(GridPath("\(scenario.district)/street-\(Self.two(street))/community-\(Self.two(community))/grid-\(Self.two(grid))")!)
        }
        self.grids = grids
        var terminals = grids.enumerated().map { Terminal(worker: "worker-\(Self.four($0.offset))", grid: $0.element, isCadre: false) }
        // Spread the cadres evenly over the grids: each shares one worker's households.
        for index in 0..<min(cadres, workers) {
            let grid = grids[(index * workers) / max(cadres, 1)]
            terminals.append(Terminal(worker: "cadre-\(Self.four(index))", grid: grid, isCadre: true))
        }
        self.terminals = terminals
    }

    var streetPaths: [GridPath] {
        Array(Set(grids.compactMap { $0.parent?.parent })).sorted()
    }

    static func two(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }
    static func four(_ number: Int) -> String { String(repeating: "0", count: max(0, 4 - String(number).count)) + String(number) }
}
