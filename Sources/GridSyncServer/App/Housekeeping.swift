import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The server's chores, run when it starts and then every `every` for as long as it runs:
/// photo garbage collection and tombstone purging. Several instances may each run them: each
/// chore is one transaction (or removes what may be removed twice), so two runs never clash.
struct Housekeeping: Service {
    /// One chore: what it did, in words for the log, or `nil` when there was nothing to do.
    struct Chore: Sendable {
        let name: String
        let run: @Sendable (Date) async throws -> String?
    }

    let chores: [Chore]
    let every: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            for chore in chores {
                do {
                    if let done = try await chore.run(now()) { logger.info("\(chore.name): \(done)") }
                } catch {
                    logger.error("\(chore.name) failed; trying again at the next pass", metadata: ["error": "\(type(of: error))"])
                }
            }
            // Shutdown must not wait out the hour.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
    }
}

/// Whether an erasure left its scrub (``SyncStore/scrub()``) unfinished.
final class ScrubOwed: Sendable {
    private let owed = Mutex(false)
    func owe() { owed.withLock { $0 = true } }
    /// True, and cleared, when a scrub is owed.
    func take() -> Bool {
        owed.withLock { owed in
            defer { owed = false }
            return owed
        }
    }
}

extension Housekeeping.Chore {
    /// Scrubs the store when an erasure could not; owed again if it still cannot. Housekeeping
    /// runs hourly, and an erasure must not wait that long: this chore is run every minute.
    static func erasureScrub(_ store: any SyncStore, _ owed: ScrubOwed) -> Self {
        Self(name: "erasure scrub") { _ in
            guard owed.take() else { return nil }
            if try await store.scrub() { return "the store holds no erased value any more" }
            owed.owe()
            return "readers held the log; trying again"
        }
    }

    static func photoGarbage(_ photos: PhotoLibrary) -> Self {
        Self(name: "photo garbage collection") { now in
            let pass = try await photos.collectGarbage(at: now)
            guard pass.blobsRemoved > 0 || pass.uploadsDropped > 0 else { return nil }
            return "\(pass.blobsRemoved) blobs (\(pass.bytesFreed) bytes) and \(pass.uploadsDropped) idle uploads removed"
        }
    }

    /// Keeps the refused-request log to the day `devices failing` reads.
    static func refusalLog(_ engine: SyncEngine) -> Self {
        Self(name: "refusal log") { now in
            try await engine.forgetRefusals(now: now)
            return nil
        }
    }

    static func tombstonePurge(_ engine: SyncEngine, _ policy: RetentionPolicy) -> Self {
        Self(name: "tombstone purge") { now in
            let report = try await engine.purgeTombstones(now: now, policy: policy)
            guard !report.purged.isEmpty || !report.rebaseDue.isEmpty else { return nil }
            return "\(report.purged.count) purged, \(report.heldBack) held back, \(report.rebaseDue.count) terminals due a rebase"
        }
    }
}
