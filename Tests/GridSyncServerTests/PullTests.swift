import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

@Suite("Pull")
struct PullTests {
    @Test("pull pages through exactly the records in scope, and a stored cursor resumes")
    func pagingAndScoping() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let writerA = try await client.enrollDevice(worker: "a", grids: [TestServer.gridA])
            let writerB = try await client.enrollDevice(worker: "b", grids: [TestServer.gridB])
            var terminalA = Terminal(replica: writerA.replicaId), terminalB = Terminal(replica: writerB.replicaId)
            _ = try await client.push(try (1...5).map { try terminalA.create(Sample.household("a-\($0)", grid: TestServer.gridA)) }, as: writerA)
            _ = try await client.push(try (1...3).map { try terminalB.create(Sample.household("b-\($0)", grid: TestServer.gridB)) }, as: writerB)

            let reader = try await client.enrollDevice(worker: "reader", grids: [TestServer.gridA])
            let first = try await client.pullAll(as: reader)
            #expect(Set(first.records.keys.map(\.id.rawValue)) == Set((1...5).map { "a-\($0)" }))
            let supervisor = try await client.enrollDevice(worker: "supervisor", grids: [GridPath("futian/shatou/community-03")!])
            #expect(try await client.pullAll(as: supervisor).records.count == 8)

            // Nothing new: an empty page. Then one edit: only that record.
            #expect(try await client.pull(as: reader, cursor: first.cursor).records.isEmpty)
            let edit = try terminalA.write([Sample.notes: .string("二次走访")], to: Sample.household("a-3").key)
            _ = try await client.push([edit], as: writerA)
            let next = try await client.pull(as: reader, cursor: first.cursor)
            #expect(next.records.map(\.id.rawValue) == ["a-3"])
        }
    }

    @Test("when assignments change, the next pull says what entered and left, and backfills the new grid")
    func rescoping() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let writer = try await client.enrollDevice(worker: "writer", grids: [TestServer.gridA, TestServer.gridB])
            var terminal = Terminal(replica: writer.replicaId)
            _ = try await client.push(try (1...3).map { try terminal.create(Sample.household("a-\($0)", grid: TestServer.gridA)) }, as: writer)
            _ = try await client.push(try (1...3).map { try terminal.create(Sample.household("b-\($0)", grid: TestServer.gridB)) }, as: writer)

            let mover = try await client.enrollDevice(worker: "mover", grids: [TestServer.gridA])
            let before = try await client.pullAll(as: mover)
            #expect(before.records.count == 3)

            let hierarchy = try await client.admin.hierarchy()
            var assignments = hierarchy.assignments.filter { $0.worker != "mover" }
            assignments.append(Assignment(worker: "mover", grids: [TestServer.gridB]))
            try await client.admin.replaceHierarchy(GridHierarchy(grids: hierarchy.grids, assignments: assignments))

            let after = try await client.pullAll(as: mover, from: before.cursor)
            #expect(after.scope.first?.entered == [TestServer.gridB])
            #expect(after.scope.first?.left == [TestServer.gridA])
            #expect(Set(after.records.keys.map(\.id.rawValue)) == ["b-1", "b-2", "b-3"])
        }
    }

    @Test("a record moved to another grid reaches the old grid's devices without its contents")
    func movedRecordIsRedacted() async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        try await server.run { client in
            let supervisor = try await client.enrollDevice(worker: "sup", grids: [GridPath("futian/shatou/community-03")!])
            let watcher = try await client.enrollDevice(worker: "watch", grids: [TestServer.gridA])
            var terminal = Terminal(replica: supervisor.replicaId)
            let household = Sample.household("hh-1")
            _ = try await client.push([try terminal.create(household)], as: supervisor)
            let first = try await client.pullAll(as: watcher)
            let move = try terminal.write([FieldPath("grid")!: .string(TestServer.gridB.description)], to: household.key)
            #expect(try await client.push([move], as: supervisor).decode(PushResponse.self).results[0].outcome == .applied)
            let after = try await client.pullAll(as: watcher, from: first.cursor)
            let record = try #require(after.records[household.key])
            #expect(record.grids == [TestServer.gridB])
            #expect(record.state.entries.isEmpty)
        }
    }
}
