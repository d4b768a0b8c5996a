import ArgumentParser
import FieldClient
import Foundation
import GridSyncAdmin
import GRDB
import GridSyncCore
import GridSyncProtocol
import GridSyncServer
import GridSyncSQLite
import Hummingbird

/// A new handset in a large grid: how long until its replica holds the grid, from enrolment
/// to the last page stored, over loopback HTTP with the real server.
///
/// Beside it, from the same run: the same number of rows inserted raw into SQLite, one
/// transaction per page as the client stores pages, with the client's durability.
struct FirstPullBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "first-pull",
        abstract: "A fresh handset pulls a 5,000-household grid; beside raw SQLite inserts of as many rows.",
        discussion: "Example:\n  swift run -c release gridsync-bench first-pull --households 5000")

    @Option(help: "Households in the grid.") var households = 5_000
    @Option(help: "Fresh handsets to time, one after another (the best is reported beside the median).") var rounds = 3

    func run() async throws {
        let folder = try makeRunFolder("gridsync-first-pull")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await BenchServer.serving(try SQLiteStore(path: folder.appendingPathComponent("server.sqlite").path)) { server in
            let grid = BenchServer.grid

            // The grid's households, from the worker who registered them.
            let seeder = try await server.handset(path: folder.appendingPathComponent("seeder.sqlite").path)
            for index in 0..<households {
                try await seeder.create(Self.household(index, grid: grid))
            }
            let seeded = try await seeder.sync()
            guard seeded.pushed == households else { throw ValidationError("seeding pushed \(seeded.pushed) of \(households)") }

            var seconds: [Double] = []
            for round in 0..<rounds {
                let handset = try await server.handset(path: folder.appendingPathComponent("fresh-\(round).sqlite").path)
                let clock = ContinuousClock()
                let started = clock.now
                let report = try await handset.sync()
                seconds.append((clock.now - started).seconds)
                let held = try await handset.replicaStates().keys.filter { $0.kind == .household }.count
                guard report.pulledRecords >= households, held == households else {
                    throw ValidationError("a fresh handset holds \(held) of \(households) households")
                }
            }
            let raw = try Self.rawInserts(path: folder.appendingPathComponent("raw.sqlite").path, rows: households, page: SyncLimits().maxPullPage)
            seconds.sort()
            let median = seconds[seconds.count / 2]
            print("a fresh handset's first pull of a grid of \(households) households, \(rounds) handsets in turn:")
            print(String(format: "first pull:                       best %6.3f s  median %6.3f s", seconds[0], median))
            print(String(format: "raw SQLite inserts of %d rows:  %6.3f s (one transaction per %d-row page, synchronous=FULL)", households, raw, SyncLimits().maxPullPage))
            print(String(format: "ratio first pull / raw inserts:   best %6.1f  median %6.1f", seconds[0] / raw, median / raw))
        }
    }

    static func household(_ index: Int, grid: GridPath) -> Household {
        let names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊"]
        let members = (0..<(index % 3 + 1)).map { n in
            Member(id: RecordID("m\(n + 1)")!, name: names[(index + n) % names.count], relation: n == 0 ? .head : .spouse,
                   phone: "138\(String(format: "%08d", index * 3 + n))")
        }
        return Household(id: RecordID("hh-\(index)")!, grid: grid,
                         address: Address(building: "\(index / 120 + 1) 栋", unit: "\(index % 4 + 1) 单元", room: "\(index % 30 + 101)"),
                         type: .resident, members: members, notes: index % 5 == 0 ? "独居老人，每周上门一次" : nil)
    }

    /// `rows` state-sized rows inserted in transactions of `page`.
    static func rawInserts(path: String, rows: Int, page: Int) throws -> Double {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in try db.execute(sql: "CREATE TABLE record (kind TEXT, id TEXT, state BLOB, PRIMARY KEY (kind, id))") }
        let body = Data(repeating: 0x61, count: 700)
        let clock = ContinuousClock()
        let started = clock.now
        for first in stride(from: 0, to: rows, by: page) {
            try pool.write { db in
                let statement = try db.makeStatement(sql: "INSERT INTO record (kind, id, state) VALUES ('household', ?, ?)")
                for index in first..<min(first + page, rows) { try statement.execute(arguments: ["hh-\(index)", body]) }
            }
        }
        return (clock.now - started).seconds
    }
}
