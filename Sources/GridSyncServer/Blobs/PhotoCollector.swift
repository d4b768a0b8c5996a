import Foundation
import Logging
import ServiceLifecycle

/// Runs photo garbage collection when the server starts and then every `every`, for as long
/// as the server runs. Several instances may each run it: removing a removed blob is harmless.
struct PhotoCollector: Service {
    let photos: PhotoLibrary
    let every: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let pass = try await photos.collectGarbage(at: now())
                if pass.blobsRemoved > 0 || pass.uploadsDropped > 0 {
                    logger.info("photo garbage collected", metadata: [
                        "blobs": "\(pass.blobsRemoved)", "bytes": "\(pass.bytesFreed)", "uploads": "\(pass.uploadsDropped)"])
                }
            } catch {
                logger.error("photo garbage collection failed; next pass in an hour", metadata: ["error": "\(type(of: error))"])
            }
            // Shutdown must not wait out the hour.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
    }
}
