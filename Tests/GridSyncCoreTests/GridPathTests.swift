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
}
