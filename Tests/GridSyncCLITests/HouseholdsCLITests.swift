import Foundation
import GridSyncTestSupport
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Households as the command centre sees them: masked by default, revealed only by an admin
/// and on the audit record, and erased on request with every terminal followed up.
@Suite("gridsync households, end to end")
struct HouseholdsCLITests {
    static let grid = "futian/shatou/community-03/grid-12"
    static let name = "李建国", phone = "13812340000", idNumber = "11010519491231002X"

    @Test("show masks names, phones and ID numbers; --reveal needs the admin role and is audited; erase and erasures follow terminals")
    func maskRevealErase() async throws {
        let fixture = try await LiveFixture()
        defer { fixture.cleanUp() }
        try await fixture.run { cli, client in
            let enrolled = try await cli.run("devices enroll --worker zhang.wei --grid \(Self.grid) --json")
            let device = try await CLITests.enrol(client, code: try WireCoding.decode(DeviceEnrollment.self, from: Data(enrolled.output.utf8)).enrollmentCode)
            var state = RecordState()
            let key = RecordKey(kind: .household, id: RecordID("hh-masked")!)
            let create = state.write([
                FieldPath("grid")!: .string(Self.grid), FieldPath("type")!: "resident",
                FieldPath("address")!: ["building": "12栋", "unit": "2单元", "room": "301"],
                FieldPath("members/m1")!: ["id": "m1", "name": .string(Self.name), "relation": "head", "phone": .string(Self.phone),
                                            "idNumber": .string(Self.idNumber), "tags": ["elderlyLivingAlone"]],
            ], by: device.replicaId, id: ChangeID("c-1")!, record: key)
            #expect(try await Self.device(client, device.token, "/v1/push", PushRequest(changes: [create])) == 200)

            let masked = try await cli.run("households show hh-masked")
            #expect(masked.status == 0, "\(masked.errors)")
            #expect(masked.output.contains("李**") && masked.output.contains("138****0000") && masked.output.contains("110***********002X"))
            #expect(!masked.output.contains(Self.name) && !masked.output.contains(Self.phone) && !masked.output.contains(Self.idNumber))
            #expect(masked.output.contains("elderlyLivingAlone") && masked.output.contains("301"), "what ops act on stays")
            let json = try WireCoding.decode(HouseholdDetail.self, from: Data(try await cli.run("households show hh-masked --json").output.utf8))
            #expect(json.masked && !json.erased)

            let viewer = try await Self.token(client, role: .viewer)
            var environment = cli.environment
            environment["GRIDSYNC_TOKEN"] = viewer
            let asViewer = CLI(environment: environment)
            #expect(try await asViewer.run("households show hh-masked").status == 0)
            let refused = try await asViewer.run("households show hh-masked --reveal")
            #expect(refused.status == 3 && !refused.output.contains(Self.name))
            let revealed = try await cli.run("households show hh-masked --reveal")
            #expect(revealed.status == 0 && revealed.output.contains(Self.name) && revealed.output.contains(Self.idNumber))
            let audit = try await cli.run("audit --since 2020-01-01")
            #expect(audit.output.contains("households.reveal") && audit.output.contains("households.show"))

            #expect(try await asViewer.run("households erase hh-masked --reason 申请").status == 3, "erasure needs the admin role")
            let erase = try await cli.run("households erase hh-masked --reason '本人申请删除 2026-118'")
            #expect(erase.status == 0, "\(erase.errors)")
            #expect(erase.output.contains("1 of 1 terminals still to confirm"))
            let pending = try await cli.run("households erasures")
            #expect(pending.output.contains("hh-masked") && pending.output.contains(device.deviceId) && pending.output.contains("0/1"))
            #expect(try await cli.run("households show hh-masked").output.contains("erased"))
            // The terminal pulls to the end, then shows the cursor that proves it.
            #expect(try await CLITests.pull(client, token: device.token) == 200)
            let cursor = try await Self.cursor(client, device.token, after: nil)
            _ = try await Self.cursor(client, device.token, after: cursor)
            let done = try await cli.run("households erasures")
            #expect(done.output.contains("1/1") && done.output.contains("none: complete"))
            #expect(try await cli.run("audit --since 2020-01-01").output.contains("households.erase"))
            #expect(try await cli.run("households erase hh-nobody --reason x").status == 4)
        }
    }

    static func device<T: Encodable>(_ connection: ServerConnection, _ token: String, _ uri: String, _ body: T) async throws -> Int {
        try await connection.send(.post, uri, token: token, json: body).status
    }

    static func cursor(_ connection: ServerConnection, _ token: String, after cursor: String?) async throws -> String {
        try await connection.send(.get, "/v1/pull" + (cursor.map { "?cursor=\($0)" } ?? ""), token: token).decode(PullResponse.self).cursor
    }

    static func token(_ connection: ServerConnection, role: OpsRole) async throws -> String {
        try await connection.admin.issueToken(name: "viewer-1", role: role).token
    }
}
