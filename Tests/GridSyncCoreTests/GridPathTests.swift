import Testing
@testable import GridSyncCore

@Suite("Grid hierarchy")
struct GridPathTests {
    @Test("paths name their level", arguments: [
        ("futian", GridLevel.district),
        ("futian/shatou", .street),
        ("futian/shatou/community-03", .community),
        ("futian/shatou/community-03/grid-12", .grid),
        ("futian/shatou/community-03/grid-12/micro-4", .microGrid),
    ])
    func levels(text: String, level: GridLevel) {
        #expect(GridPath(text)?.level == level)
    }

    @Test("malformed paths are refused with a reason", arguments: [
        "", "futian//grid", "/futian", "Futian", "futian/shatou/c/g/m/extra", "futian/沙头", "futian/sha tou",
    ])
    func malformed(text: String) {
        #expect(GridPath(text) == nil)
        guard case .failure(let error) = GridPath.parse(text) else { Issue.record("parsed \(text)"); return }
        #expect(error.field == "grid")
    }

    @Test("a community supervisor's scope covers every grid below it")
    func scoping() throws {
        let community = try #require(GridPath("futian/shatou/community-03"))
        let grid = try #require(GridPath("futian/shatou/community-03/grid-12"))
        let neighbour = try #require(GridPath("futian/shatou/community-030/grid-1"))
        #expect(grid.isWithin(community))
        #expect(community.isWithin(community))
        #expect(!community.isWithin(grid))
        #expect(!neighbour.isWithin(community), "prefix of a segment is not containment")
        #expect([community].covers(grid))
        #expect(grid.parent == community)
    }

    @Test("a set of scope roots answers covers by walking up, as the scan over every root does, for thousands of random paths")
    func setCoversAgreesWithScan() throws {
        var random = SystemRandomNumberGenerator()
        var seed = UInt64.random(in: 0...UInt64.max, using: &random)
        func next() -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: seed >> 33)
        }
        func path() -> GridPath {
            // Few names per level, so that roots and paths often share prefixes, and "c1"
            // against "c10" tests that a segment's prefix is not containment.
            let names = ["a", "b", "c1", "c10"]
            let depth = 1 + next() % GridPath.maximumDepth
            return GridPath((0..<depth).map { _ in names[next() % names.count] }.joined(separator: "/"))!
        }
        for _ in 0..<2_000 {
            let roots = Set((0..<(next() % 6)).map { _ in path() })
            for _ in 0..<5 {
                let candidate = path()
                #expect(roots.covers(candidate) == Array(roots).covers(candidate), "\(roots) covers \(candidate)")
            }
        }
    }
}
