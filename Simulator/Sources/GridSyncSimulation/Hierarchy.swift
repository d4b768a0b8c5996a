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

    /// The top-level grids: one per district.
    let districts: [GridPath]
    let grids: [GridPath]
    let terminals: [Terminal]

    init(_ scenario: Scenario) {
        let names = scenario.districts ?? [scenario.district]
        districts = names.map { GridPath($0)! }
        let cadres = Int((Double(scenario.terminals) * scenario.cadreShare).rounded())
        let workers = max(1, scenario.terminals - cadres)
        let streets = max(1, min(scenario.streets, workers))
        let communities = max(1, scenario.communitiesPerStreet)
        var grids: [GridPath] = []
        for index in 0..<workers {
            let district = names[index % names.count], local = index / names.count
            let street = local % streets
            let community = (local / streets) % communities
            let grid = local / (streets * communities)
            grids.append(GridPath("\(district)/street-\(Self.two(street))/community-\(Self.two(community))/grid-\(Self.two(grid))")!)
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
