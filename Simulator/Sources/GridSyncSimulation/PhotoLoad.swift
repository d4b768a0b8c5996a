import FieldClient
import Foundation
import GridSyncCore
import Synchronization

/// Photos a day brings (`photos:` in a scenario): how many findings and work orders carry one,
/// their sizes, and how often a photo upload's connection is cut. All zero leaves a day as it
/// was, seed for seed.
public struct PhotoLoad: Codable, Sendable, Hashable {
    /// Chance that a patrol finding is photographed.
    public var findingShare = 0.0
    /// Chance that a work order handled on the spot gets an "after" photo; orders reported
    /// from a photographed finding carry the finding's photo (one blob, two records).
    public var workOrderShare = 0.0
    public var minBytes = 200_000
    public var maxBytes = 3_000_000
    /// Share of photo connections cut at a random byte (through a ``LinkProxy``).
    public var cutShare = 0.0
    public init() {}

    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        findingShare = try container.decodeIfPresent(Double.self, forKey: .findingShare) ?? findingShare
        workOrderShare = try container.decodeIfPresent(Double.self, forKey: .workOrderShare) ?? workOrderShare
        minBytes = try container.decodeIfPresent(Int.self, forKey: .minBytes) ?? minBytes
        maxBytes = try container.decodeIfPresent(Int.self, forKey: .maxBytes) ?? maxBytes
        cutShare = try container.decodeIfPresent(Double.self, forKey: .cutShare) ?? cutShare
    }

    public var any: Bool { findingShare > 0 || workOrderShare > 0 }

    /// A photo's bytes from a seed: incompressible, as a JPEG is, and the same on every run.
    static func bytes(seed: UInt64, count: Int) -> Data {
        var random = SplitMix64(seed: seed)
        var data = Data(count: count)
        data.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < count {
                var word = random.next()
                let take = min(8, count - offset)
                withUnsafeBytes(of: &word) { buffer.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: take) }
                offset += take
            }
        }
        return data
    }

    /// A size between the bounds, from the terminal's seeded habits.
    func size(_ random: inout SplitMix64) -> Int {
        minBytes + Int(random.next() % UInt64(max(1, maxBytes - minBytes)))
    }
}

/// Routes a terminal's photo requests through the cutting link, and everything else straight on.
public final class PhotoRoute: SyncTransport {
    let records: any SyncTransport
    let photos: any SyncTransport

    public init(records: any SyncTransport, photos: any SyncTransport) {
        self.records = records
        self.photos = photos
    }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        try await (request.path.hasPrefix("/v1/blobs") ? photos : records).send(request)
    }
}

/// Counts the chunk bytes a handset hands to the network, every attempt included: what the
/// photo tests and `gridsync-bench photo` hold re-sent bytes to.
public final class ChunkCounter: SyncTransport, Sendable {
    let inner: any SyncTransport
    private let bytes = Mutex(0)

    public init(_ inner: any SyncTransport) { self.inner = inner }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        if request.method == "PUT" { bytes.withLock { $0 += request.body?.count ?? 0 } }
        return try await inner.send(request)
    }

    public var sent: Int { bytes.withLock { $0 } }
}
