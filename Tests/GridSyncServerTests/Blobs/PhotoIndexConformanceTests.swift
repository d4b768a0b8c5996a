import Foundation
import GridSyncTestSupport
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// The photo index (`PhotoIndex`), fed by pushes through the engine, the same on every store:
/// what the download check and garbage collection rest on.
@Suite("Photo index conformance")
struct PhotoIndexConformanceTests {
    static let named = BlobDigest(String(repeating: "ab", count: 32))!
    static let refused = BlobDigest(String(repeating: "cd", count: 32))!
    static let never = BlobDigest(String(repeating: "ef", count: 32))!

    static func patrol(_ id: String, grid: GridPath, photo: BlobDigest) -> Patrol {
        var patrol = Sample.patrol(id, grid: grid)
        patrol.photos = [PhotoReference(id: RecordID("ph-\(id)")!, uri: "photo:1", sha256: photo.hex)]
        return patrol
    }

    @Test("accepted changes index their photos by record; scope is by the record's current grid; refused ones index nothing",
          arguments: StoreKind.available)
    func index(kind: StoreKind) async throws {
        let a = StoreConformanceTests.gridA, b = StoreConformanceTests.gridB
        let fixture = try await StoreConformanceTests.Fixture(kind, workers: ["w-1": [a]])
        let device = fixture.devices[0]
        var terminal = Terminal(replica: device.replicaID)
        let results = try await fixture.push([try terminal.create(Self.patrol("pa-1", grid: a, photo: Self.named)),
                                              try terminal.create(Self.patrol("pa-2", grid: b, photo: Self.refused))],
                                             by: device, scope: [a])
        #expect(results.map(\.outcome) == [.applied, .rejected])
        let store = fixture.opened.store
        let (inScope, sibling, above, elsewhere, naming, among) = try await store.read { transaction in
            (try transaction.isPhotoNamed(Self.named, within: [a]),
             try transaction.isPhotoNamed(Self.named, within: [StoreConformanceTests.gridA12]),
             try transaction.isPhotoNamed(Self.named, within: [GridPath("futian/shatou")!]),
             try transaction.isPhotoNamed(Self.named, within: [b]),
             try transaction.recordsNaming(Self.named),
             try transaction.namedPhotos(among: [Self.named, Self.refused, Self.never]))
        }
        #expect(inScope && above)
        #expect(!sibling, "grid-12 is not under grid-1")
        #expect(!elsewhere)
        #expect(naming == [RecordKey(kind: .patrol, id: RecordID("pa-1")!)])
        #expect(among == [Self.named], "a refused change names nothing")

        // Noting a name twice is harmless.
        try await store.write { try $0.notePhotos([RecordKey(kind: .patrol, id: RecordID("pa-1")!): [Self.named]]) }
        #expect(try await store.read { try $0.recordsNaming(Self.named) }.count == 1)
        await fixture.opened.close()
    }
}
