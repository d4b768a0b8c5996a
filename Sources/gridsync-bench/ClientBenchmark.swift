import ArgumentParser
import FieldClient
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol
import GridSyncServer
import GridSyncSQLite
import Histogram
import Hummingbird

/// The handset's two figures: how long a local write takes, and how fast the outbox drains.
///
/// Both stand beside raw SQLite in the same folder with the same durability: a single-row
/// commit for the write latency, one insert per commit for the drain rate.
struct ClientBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Local write latency and outbox drain rate, beside raw SQLite commits.",
        discussion: "Example:\n  swift run -c release gridsync-bench client --writes 2000 --drain 5000")

    @Option(help: "Local writes to time.")
    var writes = 2_000
    @Option(help: "Changes queued offline, then drained to an in-process server.")
    var drain = 5_000

    func run() async throws {
        let folder = try makeRunFolder("gridsync-client-bench")
        defer { try? FileManager.default.removeItem(at: folder) }
        let raw = try RawCommitLatency.measure(path: folder.appendingPathComponent("raw.sqlite").path, count: writes)
        try await BenchServer.serving(try SQLiteStore(path: folder.appendingPathComponent("server.sqlite").path)) { server in
            let grid = BenchServer.grid
            let handset = try await server.handset(path: folder.appendingPathComponent("handset.sqlite").path)

            // Local writes: edits of one household's notes, as a worker types through a visit.
            let household = Household(id: RecordID("hh-bench")!, grid: grid, address: Address(building: "12", unit: "2", room: "301"), type: .resident)
            try await handset.create(household)
            var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
            let clock = ContinuousClock()
            for index in 0..<writes {
                let started = clock.now
                try await handset.update(Household.self, id: household.id) { $0.notes = "第\(index)次走访" }
                _ = latency.record(UInt64((clock.now - started).nanoseconds))
            }

            // Drain: a backlog of new patrols, as after a day in basements.
            let start = Date(timeIntervalSince1970: 1_795_000_000)
            for index in 0..<drain {
                try await handset.create(Patrol(id: RecordID("pt-\(index)")!, grid: grid, worker: "bench", startedAt: start))
            }
            let queued = try await handset.status().pendingChanges
            let drainStarted = clock.now
            let report = try await handset.sync()
            let drainSeconds = (clock.now - drainStarted).seconds
            let drainRate = Double(report.pushed) / drainSeconds

            let p50 = Double(latency.valueAtPercentile(50)) / 1_000, p99 = Double(latency.valueAtPercentile(99)) / 1_000
            print(String(format: "raw single-row commit (WAL, synchronous=FULL): p50 %7.1f µs  p99 %7.1f µs", raw.p50, raw.p99))
            print(String(format: "FieldClient local write (edit a field):      p50 %7.1f µs  p99 %7.1f µs", p50, p99))
            print(String(format: "ratio local write / raw commit:               p50 %7.2f      p99 %7.2f", p50 / raw.p50, p99 / raw.p99))
            print(String(format: "outbox drain: %d changes in %.2f s = %.0f changes/s (raw inserts, 1 per commit: %.0f /s, ratio %.2f)",
                         queued, drainSeconds, drainRate, raw.insertsPerSecond, drainRate / raw.insertsPerSecond))
        }
    }
}

