import ArgumentParser
import Foundation
import GridSyncCore
import GridSyncProtocol
import GridSyncServer
import GridSyncSQLite
import Histogram
import NIOCore

/// The thin-client storm: every terminal of a district pushes its round of visits in one push
/// and pulls its grid, within one second, against the real server binary. The clients only
/// send prepared bodies and read the answers, so the figures are the server's.
///
/// Beside them, from the same run: the same clients on an empty route, and the storm's rows
/// inserted raw into SQLite, one transaction per terminal, with the server's durability.
struct StormBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storm",
        abstract: "910 thin terminals push and pull within a second; server CPU, bytes and sync latency, beside baselines.",
        discussion: "Example:\n  swift run -c release gridsync-bench storm --terminals 910 --visits 50")

    @Option(help: "Terminals, ten per grid.") var terminals = 910
    @Option(help: "Visits each terminal pushes, in one push.") var visits = 50
    @Option(help: "Households each grid holds before the storm.") var households = 40
    @Option(help: "Seconds over which the terminals arrive, evenly.") var spread = 1.0
    @Option(help: "Connections open at once.") var connections = 64
    @Option(help: "Ask for compressed pulls and send compressed pushes (gzip).") var gzip = true
    @Option(help: "Extra arguments for gridsync-server, comma-separated.") var serverArguments = ""

    var grids: Int { (terminals + 9) / 10 }

    func run() async throws {
        let folder = try makeRunFolder("gridsync-storm")
        defer { try? FileManager.default.removeItem(at: folder) }

        var fleet = try await StormFleet.enrol(terminals: terminals, visits: visits, households: households,
                                               database: folder.appendingPathComponent("server.sqlite").path)
        let raw = try RawStormInserts.seconds(path: folder.appendingPathComponent("raw.sqlite").path, fleet: fleet)

        let server = try ServerUnderTest(folder: folder, arguments: serverArguments.split(separator: ",").map(String.init))
        defer { server.stop() }
        let codec = StormCodec(gzip: gzip)
        try await fleet.seed(port: server.port, households: households, codec: codec)
        try await fleet.pullBeforeStorm(port: server.port, connections: connections, codec: codec)

        let emptyRoute = try await StormRun.emptyRoute(port: server.port, connections: connections, requests: terminals * 4)
        let cpuBefore = server.cpuSeconds()
        let storm = try await StormRun(fleet: fleet, port: server.port, connections: connections, spread: spread, codec: codec).run()
        let cpu = server.cpuSeconds() - cpuBefore
        let check = try await StormCheck.freshPulls(fleet: fleet, port: server.port, codec: codec)
        server.stop()
        let twice = try await SyncEngine(store: SQLiteStore(path: folder.appendingPathComponent("server.sqlite").path)).changesAppliedTwice()

        let records = Double(terminals * visits)
        print("terminals \(terminals) in \(grids) grids, \(visits) visits each in one push, arriving over \(spread) s, \(connections) connections, gzip \(gzip ? "on" : "off")")
        print(String(format: "storm:                %8.2f s   %8.0f records/s", storm.seconds, records / storm.seconds))
        print(String(format: "raw SQLite inserts:   %8.2f s   %8.0f records/s  (same rows, one transaction per terminal, synchronous=FULL)", raw, records / raw))
        print(String(format: "ratio storm / raw:    %8.2f", storm.seconds / raw))
        print(String(format: "empty route:          %8.0f req/s (GET /health, same clients); storm requests %d = %.2f s of empty route",
                     emptyRoute, storm.requests, Double(storm.requests) / emptyRoute))
        print(String(format: "server CPU:           %8.2f s   %.1f µs per delivered record", cpu, cpu * 1e6 / Double(max(storm.recordsPulled, 1))))
        print(String(format: "pulled:               %8.1f MB on the wire (%.1f MB uncompressed), %d records, %.0f per terminal",
                     Double(storm.wireBytesPulled) / 1e6, Double(storm.bytesPulled) / 1e6, storm.recordsPulled, Double(storm.recordsPulled) / Double(terminals)))
        print(String(format: "pushed:               %8.1f MB on the wire (%.1f MB uncompressed)", Double(storm.wireBytesPushed) / 1e6, Double(storm.bytesPushed) / 1e6))
        print(String(format: "sync latency:         p50 %.2f s  p95 %.2f s  p99 %.2f s  max %.2f s (arrival to last page)",
                     storm.latency(50), storm.latency(95), storm.latency(99), storm.latency(100)))
        print("answers:              \(storm.retried) retried after 503, \(storm.failed) failed, \(storm.rejected) changes not applied")
        print("checked:              lost \(check.lost), duplicated \(check.duplicated + twice) (fresh pull per grid; changes applied twice: \(twice))")
        if check.lost > 0 || check.duplicated + twice > 0 || storm.failed > 0 { throw ExitCode.failure }
    }
}
