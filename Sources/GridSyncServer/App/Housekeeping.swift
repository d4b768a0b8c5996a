import Foundation
import Logging
import ServiceLifecycle

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
                    logger.error("\(chore.name) failed; next pass in an hour", metadata: ["error": "\(type(of: error))"])
                }
            }
            // Shutdown must not wait out the hour.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
    }
}

extension Housekeeping.Chore {
    static func photoGarbage(_ photos: PhotoLibrary) -> Self {
        Self(name: "photo garbage collection") { now in
            let pass = try await photos.collectGarbage(at: now)
            guard pass.blobsRemoved > 0 || pass.uploadsDropped > 0 else { return nil }
            return "\(pass.blobsRemoved) blobs (\(pass.bytesFreed) bytes) and \(pass.uploadsDropped) idle uploads removed"
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
