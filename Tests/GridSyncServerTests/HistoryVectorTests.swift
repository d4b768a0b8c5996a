import Foundation
import GridSyncAdmin
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// Replays every history vector in Protocol/vectors/history through the real server: each
/// device is enrolled for its worker, each push and resolution goes over the HTTP API, and every
/// answer and the final record are compared with the file. A second server implementation can
/// replay the same files the same way.
@Suite("History vectors")
struct HistoryVectorTests {
    struct Vector: Decodable {
        struct Step: Decodable {
            struct Expected: Decodable {
                let outcome: ChangeOutcome?
                let code: String?
                let field: String?
                let status: Int?
            }
            let push: Change?
            let by: ReplicaID?
            let resolve: ResolveChoice?
            let expected: Expected
        }
        struct ResolveChoice: Decodable {
            let keep: ReplicaID?
            let set: [FieldPath: FieldValue]?
            let delete: Bool?
        }
        struct Final: Decodable {
            let inConflict: Bool
            let deleted: Bool
            let fields: [FieldPath: [FieldValue]]
        }
        let description: String
        let kind: RecordKind
        let recordId: RecordID
        let devices: [String: String]
        let steps: [Step]
        let expected: Final
    }

    static var files: [String] { VectorFiles.names("history") }

    /// A value as files write it. An action the command centre wrote carries the server's
    /// clock, which no file can know: files write it as `<server clock>`. A move's `replaces`
    /// is sorted by replica id, and the real replica ids sort otherwise than the files' names.
    static func normalized(_ value: FieldValue) -> FieldValue {
        guard var object = value.objectValue else { return value }
        if object["by"]?.stringValue?.hasPrefix("ops:") == true, object["at"] != nil { object["at"] = "<server clock>" }
        if let replaces = object["replaces"]?.arrayValue {
            object["replaces"] = .array(replaces.sorted { ($0.stringValue.flatMap(Dot.init).map(\.description) ?? "") < ($1.stringValue.flatMap(Dot.init).map(\.description) ?? "") })
        }
        return .object(object)
    }

    @Test("there is a history vector for every fixed rule")
    func count() {
        #expect(Self.files.count >= 9)
    }

    @Test("history vectors replay through the server", arguments: files)
    func replay(name: String) async throws {
        let server = try await TestServer()
        defer { server.cleanUp() }
        let raw = try String(decoding: Data(contentsOf: VectorFiles.url("history", name)), as: UTF8.self)
        let names = try WireCoding.decode(Vector.self, from: Data(raw.utf8)).devices
        try await server.run { client in
            // Enrol one device per replica of the file, then speak of it by its real replica id.
            var devices: [String: EnrollResponse] = [:]
            var text = raw
            for name in names.keys.sorted() {
                let device = try await client.enrollDevice(worker: names[name]!, grids: [TestServer.gridA])
                devices[device.replicaId.rawValue] = device
                text = text.replacingOccurrences(of: "\"\(name):", with: "\"\(device.replicaId.rawValue):")
                    .replacingOccurrences(of: "\"\(name)\"", with: "\"\(device.replicaId.rawValue)\"")
            }
            // The files write resolutions under `server`; an instance sharing PostgreSQL has its own
            // `server-<n>` (`Protocol/README.md`, "Resolution").
            let replica = try await server.engine.serverReplica().rawValue
            // Action ids first: `server-<n>` itself begins "server-.
            text = text.replacingOccurrences(of: "\"server-", with: "\"\(replica)-").replacingOccurrences(of: "actions/server-", with: "actions/\(replica)-")
                .replacingOccurrences(of: "\"server:", with: "\"\(replica):").replacingOccurrences(of: "\"server\":", with: "\"\(replica)\":")
            let vector = try WireCoding.decode(Vector.self, from: Data(text.utf8))
            let key = RecordKey(kind: vector.kind, id: vector.recordId)
            for (index, step) in vector.steps.enumerated() {
                let label = "\(name) step \(index + 1)"
                if let change = step.push, let by = step.by {
                    let reply = try await client.push([change], as: try #require(devices[by.rawValue]))
                    #expect(reply.status == 200, "\(label)")
                    let result = try #require(try reply.decode(PushResponse.self).results.first)
                    #expect(result.outcome == step.expected.outcome, "\(label): \(result.reason?.message ?? "")")
                    #expect(result.reason?.code == step.expected.code, "\(label)")
                    #expect(result.reason?.field == step.expected.field, "\(label)")
                } else if let choice = step.resolve {
                    let detail = try await client.admin.conflict(key)
                    let request = ResolveRequest(expectedVersion: detail.summary.version, keep: choice.keep, set: choice.set, delete: choice.delete,
                                                 reason: "vector")
                    let refused = await refusal { try await client.admin.resolve(key, request) }
                    #expect(refused?.status ?? 200 == step.expected.status, "\(label): \(refused?.message ?? "")")
                    #expect(refused?.field == step.expected.field, "\(label)")
                }
            }
            let stored = try #require(try await server.engine.record(key))
            #expect(stored.state.isInConflict == vector.expected.inConflict, "\(name)")
            #expect(stored.state.isDeleted == vector.expected.deleted, "\(name)")
            var fields: [FieldPath: Set<FieldValue>] = [:]
            for (path, values) in stored.state.entries where path != .deleted { fields[path] = Set(values.values.map(Self.normalized)) }
            #expect(fields == vector.expected.fields.mapValues { Set($0.map(Self.normalized)) }, "\(name)")
        }
    }
}
