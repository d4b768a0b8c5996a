import Crypto
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

/// The photo invariants of a day: every photo a record on the server names is stored and
/// hashes to its name, none is stored twice, no handset still holds one back, and what the cuts
/// cost.
public struct PhotoFigures: Codable, Sendable, Hashable {
    /// Distinct photos the server's records name, and their bytes.
    public var named = 0
    public var bytes = 0
    /// Named but not stored, or stored with bytes that do not hash to the name.
    public var missing = 0
    public var damaged = 0
    /// Blob entries beyond one per photo in the server's store (the embedded server's).
    public var storedTwice = 0
    /// Photos still waiting on handsets at the end of the day.
    public var pendingOnHandsets = 0
    /// Photos named by more than one record (a finding's photo on its work order): stored once.
    public var sharedByRecords = 0
    /// Connections the link cut, and the bytes it carried up, against the photos' own bytes.
    public var cuts = 0
    public var bytesUp = 0
    /// Record sync latency with photos over the same day without them (`--compare-without-photos`).
    public var latencyRatioP50: Double?
    public var latencyRatioP95: Double?
    /// With several days compared: one before the last failed an invariant.
    public var earlierDaysFailed = false
    /// Each day of the comparison in the order run (without, with, without, …): the ratios
    /// are medians over these, and their spread is the machine's noise.
    public var comparedDays: [ComparedDay]?

    /// One day of a latency comparison.
    public struct ComparedDay: Codable, Sendable, Hashable {
        public var photos: Bool
        public var p50: Double
        public var p95: Double

        public init(photos: Bool, p50: Double, p95: Double) {
            self.photos = photos
            self.p50 = p50
            self.p95 = p95
        }

        enum CodingKeys: String, CodingKey {
            case photos, p50 = "p50_ms", p95 = "p95_ms"
        }
    }

    enum CodingKeys: String, CodingKey {
        case named, bytes, missing, damaged, cuts
        case storedTwice = "stored_twice", pendingOnHandsets = "pending_on_handsets", sharedByRecords = "shared_by_records"
        case bytesUp = "bytes_up", latencyRatioP50 = "latency_ratio_p50", latencyRatioP95 = "latency_ratio_p95"
        case earlierDaysFailed = "earlier_days_failed", comparedDays = "compared_days"
    }

    /// The most record sync may slow down for photos.
    public static let latencyAllowance = 1.10

    public var passed: Bool {
        missing == 0 && damaged == 0 && storedTwice == 0 && pendingOnHandsets == 0 && !earlierDaysFailed
            && (latencyRatioP95 ?? 1) <= Self.latencyAllowance && (latencyRatioP50 ?? 1) <= Self.latencyAllowance
    }

    static func check(server: [RecordKey: RecordState], admin: AdminClient, pending: Int, inventory: [BlobDigest]?, link: LinkProxy.Tally?) async throws -> PhotoFigures {
        var figures = PhotoFigures()
        var namers: [BlobDigest: Int] = [:]
        for (key, state) in server {
            for digest in PhotoDigests.named(by: state, kind: key.kind) { namers[digest, default: 0] += 1 }
        }
        figures.named = namers.count
        figures.sharedByRecords = namers.values.filter { $0 > 1 }.count
        for digest in namers.keys.sorted() {
            guard let bytes = try await admin.photo(digest) else {
                figures.missing += 1
                continue
            }
            figures.bytes += bytes.count
            if BlobDigest(bytes: SHA256.hash(data: bytes)) != digest { figures.damaged += 1 }
        }
        if let inventory { figures.storedTwice = inventory.count - Set(inventory).count }
        figures.pendingOnHandsets = pending
        figures.cuts = link?.cuts ?? 0
        figures.bytesUp = link?.bytesUpstream ?? 0
        return figures
    }
}
