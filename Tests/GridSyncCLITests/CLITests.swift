import Foundation
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("gridsync CLI, end to end")
struct CLITests {
    static let grid = "futian/shatou/community-03/grid-12"

    @Test("list, show and resolve a real conflict made by two terminals")
    func conflictLifecycle() async throws {
        let fixture = try await LiveFixture()
        defer { fixture.cleanUp() }
        try await fixture.run { cli, _ in
            let demo = try await cli.run("demo conflict --grid \(Self.grid)")
            #expect(demo.status == 0, "\(demo.errors)")
            let record = try #require(demo.output.split(separator: " ").first { $0.hasPrefix("household/") }.map { String($0).trimmingCharacters(in: .punctuationCharacters.subtracting(["/", "-"])) })

            let list = try await cli.run("conflicts list --street futian/shatou")
            #expect(list.status == 0)
            #expect(list.output.contains(record) && list.output.contains("demo-cadre,demo-worker"))
            let json = try await cli.run("conflicts list --json")
            #expect(try WireCoding.decode(ConflictList.self, from: Data(json.output.utf8)).conflicts.count == 1)

            let show = try await cli.run("conflicts show \(record)")
            #expect(show.status == 0)
            #expect(show.output.contains("✗ conflict") && show.output.contains("✓ merged"))
            #expect(show.output.contains("每周探访一次") && show.output.contains("需要助餐服务"))
            #expect(show.output.contains("王**") && !show.output.contains("王秀英"), "members' names are masked")
            #expect(show.output.contains("demo-worker") && show.output.contains("demo-cadre"))
            #expect(!show.output.contains("\u{1B}["), "no colour when piped")

            let resolve = try await cli.run("conflicts resolve \(record) --keep demo-worker --reason '网格员已核实'")
            #expect(resolve.status == 0, "\(resolve.errors)")
            #expect(resolve.output.contains("resolved \(record)"))
            #expect(try await cli.run("conflicts list").output.contains("no open conflicts"))
            let audit = try await cli.run("audit --since 2020-01-01")
            #expect(audit.output.contains("conflicts.resolve") && audit.output.contains("网格员已核实"))
        }
    }

    @Test("a resolve decided on an old view is refused with exit code 5")
    func staleResolve() async throws {
        let fixture = try await LiveFixture()
        defer { fixture.cleanUp() }
        try await fixture.run { cli, _ in
            let demo = try await cli.run("demo conflict --grid \(Self.grid)")
            #expect(demo.status == 0, "\(demo.errors)")
            let record = try #require(demo.output.split(separator: " ").first { $0.hasPrefix("household/") }.map { String($0).trimmingCharacters(in: .punctuationCharacters.subtracting(["/", "-"])) })
            let first = LiveFixture.asOperator(cli, "first"), second = LiveFixture.asOperator(cli, "second")
            #expect(try await first.run("conflicts show \(record)").status == 0)
            #expect(try await second.run("conflicts show \(record)").status == 0)
            #expect(try await first.run("conflicts resolve \(record) --set notes=合并后的说明").status == 0)
            let late = try await second.run("conflicts resolve \(record) --keep A")
            #expect(late.status == 5 || late.status == 4, "\(late.errors)")
            #expect(late.errors.contains("show it again") || late.errors.contains("not in conflict"))
            let unseen = try await LiveFixture.asOperator(cli, "third").run("conflicts resolve \(record) --keep A")
            #expect(unseen.status == 64)
            #expect(unseen.errors.contains("show the conflict first"))
        }
    }

    @Test("enrol, then revoke, then the revoked token is refused")
    func enrolRevoke() async throws {
        let fixture = try await LiveFixture()
        defer { fixture.cleanUp() }
        try await fixture.run { cli, client in
            let enrolled = try await cli.run("devices enroll --worker zhang.wei --grid \(Self.grid)")
            #expect(enrolled.status == 0)
            let code = try #require(enrolled.output.split(separator: "\n").first { $0.hasPrefix("gse_") }.map(String.init))
            let device = try await Self.enrol(client, code: code)
            #expect(try await Self.pull(client, token: device.token) == 200)

            let list = try await cli.run("devices list")
            #expect(list.output.contains(device.deviceId) && list.output.contains("zhang.wei"))
            let revoke = try await cli.run("devices revoke \(device.deviceId)")
            #expect(revoke.status == 0)
            #expect(try await Self.pull(client, token: device.token) == 401)
            #expect(try await cli.run("devices list").output.contains("revoked"))
            #expect(try await cli.run("devices revoke dev-nosuch").status == 4)
        }
    }

    @Test("a bad grid file is refused with line numbers and nothing is applied; a good one imports")
    func gridImport() async throws {
        let fixture = try await LiveFixture()
        defer { fixture.cleanUp() }
        try await fixture.run { cli, _ in
            let bad = fixture.directory.appendingPathComponent("bad.yaml")
            try """
                grids:
                  - path: futian/shatou
                    name: 沙头街道
                  - path: Futian/Bad Path
                assignments:
                  - worker: zhang.wei
                    grids: [futian/shatou/community-03/grid-12]
                  - worker: li.na
                    grids: [luohu/dongmen/c1/g1]
                """.write(to: bad, atomically: true, encoding: .utf8)
            let refused = try await cli.run("grids import \(bad.path)")
            #expect(refused.status == 7)
            #expect(refused.errors.contains("line 4:") && refused.errors.contains("line 8:"))
            #expect(refused.errors.contains("nothing was imported"))
            #expect(!(try await cli.run("grids list").output.contains("zhang.wei")))

            let badCSV = fixture.directory.appendingPathComponent("bad.csv")
            try "kind,path,name,worker\ngrid,futian/shatou,沙头街道,\nassignment,futian/shatou/c1/g1,,\nfloor,futian/x,,\n"
                .write(to: badCSV, atomically: true, encoding: .utf8)
            let refusedCSV = try await cli.run("grids import \(badCSV.path)")
            #expect(refusedCSV.status == 7)
            #expect(refusedCSV.errors.contains("line 3:") && refusedCSV.errors.contains("line 4:"))

            let good = fixture.directory.appendingPathComponent("good.csv")
            try "kind,path,name,worker\ngrid,futian/shatou,沙头街道,\nassignment,futian/shatou/community-03/grid-12,,zhang.wei\n"
                .write(to: good, atomically: true, encoding: .utf8)
            let imported = try await cli.run("grids import \(good.path)")
            #expect(imported.status == 0, "\(imported.errors)")
            #expect(try await cli.run("grids list").output.contains("zhang.wei"))
            #expect(try await cli.run("status").status == 0)
        }
    }

    @Test("a city-sized import shows its phases on stderr (one line each off a terminal, a status line on one, nothing with --quiet); stdout and the exit code are the same")
    func importProgress() async throws {
        let fixture = try await LiveFixture()
        defer { fixture.cleanUp() }
        try await fixture.run { cli, connection in
            // 4 streets × 10 communities × 50 grids, each with its worker: 4,045 rows after the header.
            var rows = ["kind,path,name,worker", "grid,futian,福田区,"]
            for street in 0..<4 {
                rows.append("grid,futian/street-\(street),街道\(street),")
                for community in 0..<10 {
                    rows.append("grid,futian/street-\(street)/community-\(community),,")
                    for grid in 0..<50 {
                        let path = "futian/street-\(street)/community-\(community)/grid-\(grid)"
                        rows += ["grid,\(path),,", "assignment,\(path),,worker-\(street)-\(community)-\(grid)"]
                    }
                }
            }
            let file = fixture.directory.appendingPathComponent("city.csv")
            try rows.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)

            let logged = try await cli.run("grids import \(file.path)")
            #expect(logged.status == 0, "\(logged.errors)")
            #expect(logged.output == "imported 2045 grids and 2000 assignments\n")
            let phases = logged.errors.split(separator: "\n")
            #expect(phases.count == 2 && phases[0].hasSuffix("reading \(file.path)") && phases[1].contains("sending 2045 grids and 2000 assignments"),
                    "\(logged.errors)")
            let quiet = try await cli.run("grids import \(file.path) --quiet")
            #expect(quiet.status == 0 && quiet.output == logged.output && quiet.errors.isEmpty)
            #expect(try await connection.admin.hierarchy().assignments.count == 2_000)

            // On a terminal (a pty through script(1)), a line redrawn in place with the count.
            let scriptTool = URL(fileURLWithPath: "/usr/bin/script")
            guard FileManager.default.isExecutableFile(atPath: scriptTool.path) else { return }
            let live = try await CLI(environment: cli.environment, executable: scriptTool)
                .run("-qec '\(CLI.binary.path) grids import \(file.path)' /dev/null")
            #expect(live.status == 0)
            #expect(live.output.contains("\r\u{1B}[2K") && live.output.contains("imported 2045 grids and 2000 assignments"))
            #expect(!live.output.contains("[   0."), "no per-phase lines on a terminal")
        }
    }

    @Test("errors say what to do, with script-friendly exit codes")
    func errors() async throws {
        let fixture = try await LiveFixture()
        defer { fixture.cleanUp() }
        try await fixture.run { cli, _ in
            var wrongToken = cli.environment
            wrongToken["GRIDSYNC_TOKEN"] = "gso_not-a-real-token"
            let refused = try await CLI(environment: wrongToken).run("conflicts list")
            #expect(refused.status == 3)
            #expect(refused.errors.hasPrefix("error: "))
            var nowhere = cli.environment
            nowhere["GRIDSYNC_SERVER"] = "http://127.0.0.1:9"
            let unreachable = try await CLI(environment: nowhere).run("status")
            #expect(unreachable.status == 6)
            #expect(unreachable.errors.contains("cannot reach"))
            #expect(try await cli.run("conflicts show nonsense").status == 64)
        }
    }

    @Test("--help matches its snapshot, and every command's help has an example")
    func help() async throws {
        let cli = CLI(environment: ["PATH": "/usr/bin:/bin", "COLUMNS": "100"])
        let help = try await cli.run("--help")
        let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/help.txt")
        #expect(help.output == (try String(contentsOf: snapshot, encoding: .utf8)))
        for command in ["conflicts list", "conflicts show", "conflicts resolve", "devices enroll", "devices list", "devices revoke",
                        "grids import", "grids list", "records quarantined", "records quarantine", "records release", "status", "audit",
                        "demo conflict", "orders list", "orders show", "orders accept", "orders dispatch", "orders return", "orders reject",
                        "orders close", "orders stats", "photos show", "photos get", "households show", "households erase", "households erasures", "devices failing", "devices show"] {
            let output = try await cli.run("\(command) --help").output
            #expect(output.contains("Example"), "\(command) --help has no example")
        }
        #expect(try await cli.run("--generate-completion-script bash").output.contains("_gridsync"))
    }

    static func enrol(_ connection: ServerConnection, code: String) async throws -> EnrollResponse {
        try await connection.enroll(code: code)
    }

    static func pull(_ connection: ServerConnection, token: String) async throws -> Int {
        try await connection.send(.get, "/v1/pull", token: token).status
    }
}
