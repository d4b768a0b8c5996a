import Foundation
import GridSyncTestSupport
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import GridSyncSimulation
import Testing

/// Personal data never reaches an error message, a log line or the CLI's error output. Canary
/// names, ID numbers and phones go through every error path we know; afterwards not one of
/// them may appear in any error response, in the server's log at trace level, or on the CLI's
/// stderr.
@Suite("Personal data canaries")
struct CanaryTests {
    static let name = "金丝雀张三丰"
    static let idNumber = "CANARY110105"
    static let phone = "139CANARY77"
    static let goodPhone = "13977712345"
    static let canaries = [name, idNumber, phone, goodPhone, "金丝雀"]
    static let grid = "futian/shatou/community-03/grid-12"

    @Test("no canary in error responses, trace-level server logs or CLI stderr")
    func noCanaryEscapes() async throws {
        let fixture = try await LiveFixture()
        defer { fixture.cleanUp() }
        let logs = LogCapture()
        var logger = Logger(label: "gridsync-server", factory: { _ in logs.handler() })
        logger.logLevel = .trace
        let exposed = Mutex<[String]>([])
        try await fixture.run(logger: logger) { cli, client in
            let code = try await cli.run("devices enroll --worker canary.worker --grid \(Self.grid) --json")
            let enrolment = try WireCoding.decode(DeviceEnrollment.self, from: Data(code.output.utf8))
            let device = try await CLITests.enrol(client, code: enrolment.enrollmentCode)
            let replica = device.replicaId.rawValue
            var counter = 0
            func change(_ kind: String, _ id: String, _ writes: [String: FieldValue]) -> FieldValue {
                var written: [String: FieldValue] = [:]
                for path in writes.keys.sorted() {
                    counter += 1
                    written[path] = ["dot": .string("\(replica):\(counter)"), "value": writes[path]!]
                }
                return ["id": .string("canary-\(counter)"), "kind": .string(kind), "recordId": .string(id),
                        "clock": .object([replica: .number(Double(counter))]), "supersedes": [], "writes": .object(written)]
            }
            func push(_ changes: [FieldValue]) async throws -> String {
                let body = try WireCoding.encode(FieldValue.object(["changes": .array(changes)]))
                return String(decoding: try await client.send(.post, "/v1/push", token: device.token, body: body).body, as: UTF8.self)
            }
            let address: FieldValue = ["building": "12", "room": "301", "unit": "2"]
            let member: (String, FieldValue, FieldValue) -> FieldValue = { relation, phone, idNumber in
                var value: [String: FieldValue] = ["id": "m1", "name": .string(Self.name), "relation": .string(relation), "tags": []]
                value["phone"] = phone
                value["idNumber"] = idNumber
                return .object(value)
            }
            let grid = FieldValue.string(Self.grid)
            var answers: [String] = []
            // Bad enum, bad phone, bad ID number, unknown member named like a person, text too long.
            answers.append(try await push([change("household", "hh-c1", ["address": address, "grid": grid, "type": "resident",
                                                                         "members/m1": member(Self.name, .string(Self.goodPhone), .null)])]))
            answers.append(try await push([change("household", "hh-c2", ["address": address, "grid": grid, "type": "resident",
                                                                         "members/m1": member("head", .string(Self.phone), .null)])]))
            answers.append(try await push([change("household", "hh-c3", ["address": address, "grid": grid, "type": "resident",
                                                                         "members/m1": member("head", .string(Self.goodPhone), .string(Self.idNumber))])]))
            answers.append(try await push([change("household", "hh-c4", [
                "address": ["building": "12", "room": "301", "unit": "2", .init(stringLiteral: Self.name): .string(Self.goodPhone)],
                "grid": grid, "type": .string(Self.name)])]))
            answers.append(try await push([change("householdVisit", "hv-c1", [
                "grid": grid, "householdID": "hh-1", "outcome": .string(Self.name), "visitedAt": "2026-11-24T09:05:00.000Z",
                "visitor": .string(String(repeating: Self.name, count: 20))])]))
            answers.append(try await push([change("patrol", "pt-c1", [
                "grid": grid, "startedAt": .string(Self.phone), "worker": .string(Self.name),
                "findings/f1": ["id": "f1", "category": .string(Self.name), "description": .string(Self.name), "handledOnSpot": true,
                                "location": ["latitude": 22.5, "longitude": 114.0], "reportedAt": "2026-11-24T08:41:00.000Z", "severity": "low"]])]))
            answers.append(try await push([change("patrol", "pt-c2", ["grid": grid, "startedAt": .string(Self.phone), "worker": .string(Self.name)])]))
            answers.append(try await push([change("household", "hh-c7", ["address": address, "grid": grid, "type": "resident",
                                                                         "notes": .string(String(repeating: Self.name, count: 700))])]))
            answers.append(try await push([change("visitLog", "vl-c1", ["day": .string(Self.idNumber), "grid": grid, "worker": .string(Self.name)])]))
            // Whole-request refusals: an unknown kind and a field path that is a name.
            answers.append(try await push([change(Self.name, "hh-c5", ["notes": .string(Self.name)])]))
            answers.append(try await push([change("household", "hh-c6", [Self.name: .string(Self.goodPhone)])]))

            // A real conflict, then resolutions whose values break the rules.
            _ = try await cli.run("demo conflict --grid \(Self.grid)")
            let list = try await cli.run("conflicts list --json")
            let conflict = try #require(try WireCoding.decode(ConflictList.self, from: Data(list.output.utf8)).conflicts.first)
            let target = "\(conflict.kind.rawValue)/\(conflict.id.rawValue)"
            #expect(try await cli.run("conflicts show \(target)").status == 0)
            var stderr: [String] = []
            for command in [
                "conflicts resolve \(target) --set 'members/m-01={\"id\":\"m-01\",\"name\":\"\(Self.name)\",\"relation\":\"\(Self.name)\",\"tags\":[]}'",
                "conflicts resolve \(target) --set 'members/m-01={\"id\":\"m-01\",\"name\":\"\(Self.name)\",\"relation\":\"head\",\"phone\":\"\(Self.phone)\",\"tags\":[]}'",
                "conflicts resolve \(target) --set 'notes=\(Self.name)' --set 'type=\(Self.name)'",
                "conflicts resolve \(target) --set '\(Self.name)=\(Self.goodPhone)'",
                "conflicts resolve \(target) --set '\(Self.phone)'",
                "conflicts resolve \(target) --keep '\(Self.name)'",
            ] {
                let result = try await cli.run(command)
                #expect(result.status != 0, "\(command)")
                stderr.append(result.errors + result.output)
            }
            exposed.withLock { $0 = answers + stderr }
        }
        let texts = exposed.withLock { $0 } + [logs.text]
        if ProcessInfo.processInfo.environment["CANARY_DEBUG"] != nil { for text in texts { print("TEXT:", text.prefix(400)) } }
        #expect(texts.count > 10)
        for text in texts {
            for canary in Self.canaries {
                #expect(!text.contains(canary), "a canary escaped: \(text.prefix(300))")
            }
        }
        #expect(logs.text.contains("trace") || logs.text.contains("debug") || !logs.text.isEmpty)
    }
}
