import Crypto
import Foundation
import GridSyncCore
import GridSyncProtocol
import Testing

/// Runs every golden vector in Protocol/vectors, so the Swift code and the files a third party
/// implements against can never drift apart.
@Suite("Golden vectors")
struct VectorTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/vectors")

    static func files(_ folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }

    static func load<T: Decodable>(_ type: T.Type, _ folder: String, _ name: String) throws -> T {
        try WireCoding.decode(type, from: Data(contentsOf: root.appendingPathComponent(folder).appendingPathComponent(name)))
    }

    struct MergeVector: Decodable {
        struct Expected: Decodable {
            let outcome: MergeOutcome
            let state: RecordState
            let conflictingFields: [FieldPath]
            let deleteConflict: Bool
            let deleted: Bool
        }
        let description: String
        let state: RecordState
        let change: Change
        let expected: Expected
    }

    struct ValidationVector: Decodable {
        struct Expected: Decodable {
            let valid: Bool
            let code: String?
            let field: String?
        }
        let description: String
        let change: Change
        let expected: Expected
    }

    @Test("there are enough vectors of each sort")
    func counts() {
        #expect(Self.files("merge").count >= 30)
        #expect(Self.files("validation").count >= 12)
        #expect(Self.files("messages").count >= 8)
    }

    @Test("merge vectors", arguments: files("merge"))
    func merge(name: String) throws {
        let vector = try Self.load(MergeVector.self, "merge", name)
        var state = vector.state
        let outcome = state.apply(vector.change)
        #expect(outcome == vector.expected.outcome, "\(vector.description)")
        #expect(state == vector.expected.state, "\(vector.description)")
        #expect(state.conflictingFields == vector.expected.conflictingFields)
        #expect(state.hasDeleteConflict == vector.expected.deleteConflict)
        #expect(state.isDeleted == vector.expected.deleted)
        // The general join must agree with the incremental one.
        #expect(vector.state.merged(with: RecordState(vector.change)) == state)
    }

    @Test("validation vectors", arguments: files("validation"))
    func validation(name: String) throws {
        let vector = try Self.load(ValidationVector.self, "validation", name)
        do {
            try vector.change.validate()
            #expect(vector.expected.valid, "\(vector.description): expected \(vector.expected.code ?? "")")
        } catch let error as ValidationError {
            #expect(!vector.expected.valid, "\(vector.description): \(error)")
            #expect(error.code.rawValue == vector.expected.code, "\(vector.description)")
            #expect(error.field == vector.expected.field, "\(vector.description)")
        }
    }

    @Test("message vectors decode as their type and re-encode to the same JSON", arguments: files("messages"))
    func message(name: String) throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("messages").appendingPathComponent(name))
        let envelope = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let type = try #require(envelope["type"] as? String)
        let message = try JSONSerialization.data(withJSONObject: try #require(envelope["message"]))
        let reencoded: Data
        switch type {
        case "PushRequest": reencoded = try roundTrip(PushRequest.self, message)
        case "PushResponse": reencoded = try roundTrip(PushResponse.self, message)
        case "PullResponse": reencoded = try roundTrip(PullResponse.self, message)
        case "EnrollRequest": reencoded = try roundTrip(EnrollRequest.self, message)
        case "EnrollResponse": reencoded = try roundTrip(EnrollResponse.self, message)
        case "ErrorEnvelope": reencoded = try roundTrip(ErrorEnvelope.self, message)
        case "ResolveRequest": reencoded = try roundTrip(ResolveRequest.self, message)
        case "ConflictDetail": reencoded = try roundTrip(ConflictDetail.self, message)
        case "DeviceSummary": reencoded = try roundTrip(DeviceSummary.self, message)
        case "GridHierarchy": reencoded = try roundTrip(GridHierarchy.self, message)
        case "FleetStatus": reencoded = try roundTrip(FleetStatus.self, message)
        case "AuditPage": reencoded = try roundTrip(AuditPage.self, message)
        case "BlobUploadRequest": reencoded = try roundTrip(BlobUploadRequest.self, message)
        case "BlobStatus": reencoded = try roundTrip(BlobStatus.self, message)
        case "BlobDetails": reencoded = try roundTrip(BlobDetails.self, message)
        case "ErasureReport": reencoded = try roundTrip(ErasureReport.self, message)
        case "HouseholdDetail": reencoded = try roundTrip(HouseholdDetail.self, message)
        case "DeviceDetail": reencoded = try roundTrip(DeviceDetail.self, message)
        case "FailingDeviceList": reencoded = try roundTrip(FailingDeviceList.self, message)
        default:
            Issue.record("unknown message type \(type) in \(name)")
            return
        }
        #expect(try canonical(reencoded) == canonical(message), "\(name)")
    }

    struct MaskingVector: Decodable {
        struct Case: Decodable { let kind: RecordKind; let field: FieldPath; let value: FieldValue; let masked: FieldValue }
        let description: String
        let cases: [Case]
    }

    @Test("masking vectors", arguments: files("masking"))
    func masking(name: String) throws {
        let vector = try Self.load(MaskingVector.self, "masking", name)
        #expect(!vector.cases.isEmpty)
        for item in vector.cases {
            #expect(PersonalDataMask.mask(item.value, at: item.field, of: item.kind) == item.masked, "\(name): \(item.field)")
        }
    }

    /// What another implementation needs to name and cut a photo exactly as this one does.
    struct BlobVectors: Decodable {
        struct Name: Decodable { let bytesUTF8: String; let name: String; let contentDigest: String }
        struct Chunks: Decodable { let size: Int; let chunkSize: Int; let ranges: [[Int]] }
        let names: [Name]
        let chunks: [Chunks]
    }

    @Test("blob vectors: a photo's name is the hex SHA-256 of its bytes, Content-Digest its base64, and chunks cut as stated")
    func blobs() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("blobs").appendingPathComponent("001-chunks-and-names.json"))
        let vectors = try JSONDecoder().decode(BlobVectors.self, from: data)
        for vector in vectors.names {
            let hash = SHA256.hash(data: Data(vector.bytesUTF8.utf8))
            #expect(BlobDigest(bytes: hash).hex == vector.name)
            #expect(BlobDigest(vector.name) != nil && BlobDigest(vector.name.uppercased()) == nil)
            #expect("sha-256=:" + Data(hash).base64EncodedString() + ":" == vector.contentDigest)
        }
        for vector in vectors.chunks {
            let count = BlobStatus.chunkCount(size: vector.size, chunkSize: vector.chunkSize)
            let ranges = (0..<count).map { BlobStatus.range(ofChunk: $0, size: vector.size, chunkSize: vector.chunkSize) }
            #expect(ranges.map { [$0.lowerBound, $0.upperBound] } == vector.ranges, "size \(vector.size)")
        }
    }

    private func roundTrip<T: Codable>(_ type: T.Type, _ data: Data) throws -> Data {
        try WireCoding.encode(try WireCoding.decode(type, from: data))
    }

    /// Compares JSON by value: key order and number spelling aside.
    private func canonical(_ data: Data) throws -> NSObject {
        try JSONSerialization.jsonObject(with: data) as! NSObject
    }
}
