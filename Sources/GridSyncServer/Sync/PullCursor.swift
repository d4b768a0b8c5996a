import Foundation
import GridSyncCore

/// Where a device's pull stands. Opaque to clients: base64url of this JSON.
///
/// It carries the scope the device was last served, so the next pull can tell what entered
/// and what left when assignments change, and a backfill position while the records of a
/// newly entered grid are still being sent.
struct PullCursor: Codable, Equatable {
    /// The change-log position up to which the device has every in-scope record.
    var seq: Int64
    /// The scope roots the device was served under.
    var roots: [GridPath]
    var backfill: Backfill?
    /// The protocol version the cursor was issued under (`nil`: 1). A handset that updates to a
    /// newer version pulls from the start once, to get the kinds its old version was not sent.
    var version: Int?
    /// The store's epoch it was issued under (``StoreEpoch``; `nil` before epochs). A cursor
    /// from another epoch comes from a history the store no longer has: a rebase.
    var epoch: String?
    /// When the rebase this cursor's pull started with began (seconds since 1970; `nil`: none).
    /// A device due a rebase since then or before, pulling with it, is rebasing already.
    var rebasedSince: Double?

    /// Sending the records of grids that entered the scope, up to `upTo`, after `after`.
    struct Backfill: Codable, Equatable {
        var roots: [GridPath]
        var upTo: Int64
        var after: Int64
    }

    static func start(scope: [GridPath], version: Int, epoch: String) -> PullCursor {
        PullCursor(seq: 0, roots: scope, backfill: nil, version: version, epoch: epoch)
    }

    init(seq: Int64, roots: [GridPath], backfill: Backfill?, version: Int?, epoch: String?) {
        self.seq = seq
        self.roots = roots
        self.backfill = backfill
        self.version = version
        self.epoch = epoch
    }

    /// `nil` when the text is not a cursor this server issued.
    init?(text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let cursor = try? JSONDecoder().decode(PullCursor.self, from: data), cursor.seq >= 0 else { return nil }
        self = cursor
    }

    var text: String {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        return TokenFactory.base64URL(data)
    }
}
