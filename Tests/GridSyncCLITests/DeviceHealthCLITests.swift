import Foundation
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// `gridsync devices failing` after a storm: the terminals that need a look, each with the
/// right reason, and `devices show` with everything known of one.
@Suite("gridsync devices failing, end to end")
struct DeviceHealthCLITests {
    static let grid = "futian/shatou/community-03/grid-12"

    @Test("finds a revoked terminal still calling, one with parked changes and one offline for a day; a healthy one is left out")
    func failing() async throws {
        let fixture = try await LiveFixture()
        defer { fixture.cleanUp() }
        let clock = Mutex(Date(timeIntervalSince1970: 1_795_000_000))
        try await fixture.run(now: { clock.withLock { $0 } }) { cli, client in
            func enrol(_ worker: String) async throws -> EnrollResponse {
                let code = try await cli.run("devices enroll --worker \(worker) --grid \(Self.grid) --json")
                return try await CLITests.enrol(client, code: try WireCoding.decode(DeviceEnrollment.self, from: Data(code.output.utf8)).enrollmentCode)
            }
            let healthy = try await enrol("zhang.wei"), revoked = try await enrol("li.na")
            let parking = try await enrol("wang.fang"), offline = try await enrol("zhao.lei")
            for device in [healthy, revoked, parking, offline] { #expect(try await CLITests.pull(client, token: device.token) == 200) }

            // The parking terminal says what it holds; its clock is three hours ahead.
            let now = clock.withLock { $0 }
            let report = DeviceReport(pendingChanges: 4, appVersion: "1.4.2", oldestPendingSeconds: 900, parkedChanges: 2,
                                      lastErrorKind: "server", freeStorageBytes: 3_200_000_000, deviceTime: now.addingTimeInterval(3 * 3_600))
            #expect(try await Self.push(client, parking.token, PushRequest(changes: [], device: report)) == 200)
            #expect(try await cli.run("devices revoke \(revoked.deviceId)").status == 0)

            // A day passes; everyone but the offline terminal syncs. The revoked one keeps trying.
            clock.withLock { $0 = $0.addingTimeInterval(25 * 3_600) }
            for device in [healthy, parking] { #expect(try await CLITests.pull(client, token: device.token) == 200) }
            for _ in 0..<3 { #expect(try await CLITests.pull(client, token: revoked.token) == 401) }
            var hostile = report
            hostile.lastErrorKind = "王五 13800000000"
            #expect(try await Self.push(client, healthy.token, PushRequest(changes: [], device: hostile)) == 400,
                    "a report the server would have to show is checked before it is kept")

            let failing = try await cli.run("devices failing")
            #expect(failing.status == 0, "\(failing.errors)")
            let json = try WireCoding.decode(FailingDeviceList.self, from: Data(try await cli.run("devices failing --json").output.utf8))
            let kinds = Dictionary(uniqueKeysWithValues: json.devices.map { ($0.summary.deviceId, Set($0.problems.map(\.kind))) })
            #expect(kinds[revoked.deviceId] == [.revoked])
            #expect(kinds[parking.deviceId] == [.parked])
            #expect(kinds[offline.deviceId] == [.stale])
            #expect(kinds[healthy.deviceId] == nil, "the healthy terminal needs no look (its one refused push is under the threshold)")
            #expect(json.devices.first?.summary.deviceId == revoked.deviceId, "worst first")
            #expect(failing.output.contains("revoked, and still calling: 3 requests refused in 24 h"))
            #expect(failing.output.contains("2 changes refused for good"))
            #expect(failing.output.contains("no finished sync for 25 h"))
            #expect(failing.output.contains("gridsync devices show \(offline.deviceId)"))

            let shown = try await cli.run("devices show \(parking.deviceId)")
            #expect(shown.status == 0, "\(shown.errors)")
            #expect(shown.output.contains("3h ahead") && shown.output.contains("server") && shown.output.contains("3.2 GB"))
            let detail = try WireCoding.decode(DeviceDetail.self, from: Data(try await cli.run("devices show \(healthy.deviceId) --json").output.utf8))
            #expect(detail.clientErrors24h == 1 && detail.problems.isEmpty && detail.lastPullAt != nil && detail.cursorLag == 0)
            #expect(try await cli.run("devices show dev-nobody").status == 4)
            let audit = try await cli.run("audit --since 2020-01-01")
            #expect(audit.output.contains("devices.failing") && audit.output.contains("devices.show"))
        }
    }

    static func push(_ connection: ServerConnection, _ token: String, _ body: PushRequest) async throws -> Int {
        try await connection.send(.post, "/v1/push", token: token, json: body).status
    }
}
