import ArgumentParser
import Foundation
import GridSyncConsole
import GridSyncSimulation
import Logging

/// `gridsync-sim`: a district's terminals through a day of rounds, faults and sync storms.
@main
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridsync-sim",
        abstract: "Drive hundreds of real field clients through a day of patrols, visits and sync storms, then prove nothing was lost.",
        discussion: """
            With no --server, an embedded server runs in-process on a temporary SQLite database and a free port; with
            --postgres URL, --instances gridsync-server processes share a fresh database made on that PostgreSQL server,
            behind the simulator's load balancer. Exits non-zero if any invariant fails.

            Examples:
              swift run -c release gridsync-sim
              swift run -c release gridsync-sim --terminals 910 --seed 7 --report-json r.json
              swift run -c release gridsync-sim --faults --report-json faults.json
              swift run -c release gridsync-sim --scenario Simulator/Scenarios/city.yaml --postgres postgres://postgres@127.0.0.1:5432/postgres --instances 2 --faults
            """)

    @Option(help: "A scenario YAML file (default: Simulator/Scenarios/district.yaml if present, else built-in defaults).")
    var scenario: String?
    @Option(help: "Override the scenario's number of terminals.") var terminals: Int?
    @Option(help: "Seed for the workload and the fault schedule.") var seed: UInt64 = 7
    @Flag(help: "Turn on the standard fault mix: dropped requests, lost acks, truncation, delays, one server restart mid-storm.")
    var faults = false
    @Option(help: "Load-test this running server instead of an embedded one; repeat for several instances behind the simulator's load balancer.")
    var server: [String] = []
    @Option(help: "Run the servers on PostgreSQL: a fresh database is made on this server (postgres://user@host:port/db) and dropped afterwards.")
    var postgres: String?
    @Option(help: "With --postgres: how many gridsync-server processes share the database.") var instances: Int = 2
    @Option(help: "Admin token for --server. (env: GRIDSYNC_TOKEN)") var adminToken: String?
    @Option(help: "Write the report as JSON here.") var reportJSON: String?
    @Option(help: "Write the report as one self-contained HTML page here: charts of the storm, latency, conflicts and errors.")
    var reportHTML: String?
    @Option(help: "Keep terminal and server files in this folder.") var workDir: String?
    @Flag(help: "On a day with photos: run the same day without them too, and hold record sync latency with photos to at most 10% above it.")
    var compareWithoutPhotos = false
    @Option(help: "With --compare-without-photos: days of each kind, run in turn (without, with, without, …); the medians are compared, since one day's latency varies more than 10% on a busy machine.")
    var comparisons = 1
    @Flag(help: "Print the summary only: no progress on stderr.") var quiet = false

    func run() async throws {
        // The handsets' notices (a rebase, a parked change) are a day's chatter here: the report
        // counts them. Warnings and worse still show.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        var chosen = try loadScenario()
        if let terminals { chosen.terminals = terminals }
        if faults { chosen.faults = .standard }
        var options = SimulationOptions()
        options.seed = seed
        options.servers = try server.map { text in
            guard let url = URL(string: text), url.scheme != nil else { throw ValidationError("--server takes a URL such as http://127.0.0.1:8080") }
            return url
        }
        options.postgres = postgres
        guard instances > 0 else { throw ValidationError("--instances must be positive") }
        options.instances = instances
        options.adminToken = adminToken ?? ProcessInfo.processInfo.environment["GRIDSYNC_TOKEN"]
        options.workFolder = workDir.map { URL(fileURLWithPath: $0) }
        // Progress goes to stderr, so that stdout and --report-json stay exactly the report: on a
        // terminal a status line redrawn four times a second, elsewhere one line per phase.
        let mode = ProgressMode.choose(quiet: quiet)
        if mode == .lines {
            let phases = ConsoleProgress(mode: .lines)
            options.progress = { phases.phase($0) }
        }
        guard comparisons > 0 else { throw ValidationError("--comparisons must be positive") }
        var baselines: [SimulationReport] = [], withPhotos: [SimulationReport] = []
        for round in 0..<(compareWithoutPhotos && chosen.photos.any ? comparisons : 0) {
            var plain = chosen
            plain.photos = PhotoLoad()
            options.progress?("the same day without photos (\(round + 1) of \(comparisons)), for the latency baseline")
            baselines.append(try await Simulation(scenario: plain, options: options).run())
            if round < comparisons - 1 { withPhotos.append(try await Simulation(scenario: chosen, options: options).run()) }
        }
        let day = Simulation(scenario: chosen, options: options)
        let meter = day.meter
        let display = mode == .live ? ProgressLine.start(status: { meter.snapshot.line }) : nil
        var report = try await day.run()
        await display?.stop()
        withPhotos.append(report)
        if !baselines.isEmpty, report.photos != nil {
            func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            report.photos?.latencyRatioP50 = median(withPhotos.map(\.syncLatencyMS.p50)) / max(median(baselines.map(\.syncLatencyMS.p50)), 1)
            report.photos?.latencyRatioP95 = median(withPhotos.map(\.syncLatencyMS.p95)) / max(median(baselines.map(\.syncLatencyMS.p95)), 1)
            report.photos?.comparedDays = zip(baselines, withPhotos).flatMap { without, with in
                [PhotoFigures.ComparedDay(photos: false, p50: without.syncLatencyMS.p50, p95: without.syncLatencyMS.p95),
                 PhotoFigures.ComparedDay(photos: true, p50: with.syncLatencyMS.p50, p95: with.syncLatencyMS.p95)]
            }
            if !withPhotos.allSatisfy(\.passed) || !baselines.allSatisfy(\.passed) {
                report.notes.append("an earlier day of the comparison failed an invariant")
                report.photos?.earlierDaysFailed = true
            }
        }
        print("scenario \(chosen.name): \(chosen.terminals) terminals, \(chosen.rounds) rounds\(chosen.faults.any ? ", faults on" : "")")
        print(report.summary())
        if let reportJSON {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: reportJSON))
        }
        if let reportHTML {
            try Data(try DayReportPage.render(report, scenario: chosen, reproduce: reproduction).utf8).write(to: URL(fileURLWithPath: reportHTML))
        }
        if !report.passed { throw ExitCode(1) }
    }

    /// This run's command line, without where its reports go: what runs the same day again.
    var reproduction: String {
        var words = ["swift run -c release gridsync-sim"]
        if let scenario { words.append("--scenario \(scenario)") }
        if let terminals { words.append("--terminals \(terminals)") }
        words.append("--seed \(seed)")
        if faults { words.append("--faults") }
        // The database URL may hold a password: the page names the option, not its value.
        if postgres != nil { words.append("--postgres URL --instances \(instances)") }
        return words.joined(separator: " ")
    }

    func loadScenario() throws -> Scenario {
        if let scenario { return try Scenario.load(scenario) }
        let bundled = "Simulator/Scenarios/district.yaml"
        return FileManager.default.fileExists(atPath: bundled) ? try Scenario.load(bundled) : Scenario()
    }
}
