import Foundation
import GridSyncProtocol
import Hummingbird
import Logging
import HummingbirdCore
import NIOCore

/// Builds the server around a store. Tests pass their own store and `now`; the executable
/// passes an ``SQLiteStore`` opened from the configuration.
///
/// For example:
/// ```swift
/// let store = try SQLiteStore(path: "/tmp/gridsync.sqlite")
/// let app = try buildApplication(configuration: .init(port: 0), store: store)
/// try await app.runService()
/// ```
public func buildApplication(
    configuration: ServerConfiguration, store: any SyncStore, blobs: (any BlobStore)? = nil, metrics: ServerMetrics = ServerMetrics(),
    logger: Logger = Logger(label: "gridsync-server"), now: @escaping @Sendable () -> Date = Date.init,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let engine = SyncEngine(store: store, deadlines: configuration.deadlines)
    let photoStore: any BlobStore
    do {
        photoStore = try blobs ?? store.defaultBlobStore()
    } catch {
        throw PhotoStoreUnavailable(reason: error)
    }
    let photos = PhotoLibrary(blobs: photoStore, engine: engine, limits: configuration.limits, metrics: metrics,
                              gracePeriod: configuration.photoGracePeriod)
    let environment = ServerEnvironment(engine: engine, limits: configuration.limits, metrics: metrics, photos: photos,
                                        bodyTimeout: configuration.bodyTimeout, admission: configuration.admission, now: now)
    let router = Router(context: GridSyncRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
    // Outside the error envelope, so that refusals also say the server reads gzip.
    router.add(middleware: CompressionMiddleware())
    router.add(middleware: ErrorEnvelopeMiddleware())

    router.get("health") { _, _ in
        try JSONBody.response(HealthResponse(limits: configuration.limits))
    }
    router.get("metrics") { _, _ in
        // Read as it decays now, not as of the last request: a storm that ended shows as ended.
        metrics.syncRequestRate.set(environment.syncRate.perSecond)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                 body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
    }

    let versioned = router.group("v1").add(middleware: ProtocolVersionMiddleware())
    SyncRoutes(environment: environment).register(on: versioned)
    BlobRoutes(environment: environment).register(on: versioned)
    let admin = versioned.group("admin")
    AdminConflictRoutes(environment: environment).register(on: admin)
    AdminOrderRoutes(environment: environment).register(on: admin)
    AdminDeviceRoutes(environment: environment).register(on: admin)
    AdminDeviceHealthRoutes(environment: environment).register(on: admin)
    AdminFleetRoutes(environment: environment).register(on: admin)
    AdminRecordRoutes(environment: environment).register(on: admin)
    AdminBlobRoutes(environment: environment).register(on: admin)
    AdminHouseholdRoutes(environment: environment, logger: logger).register(on: admin)

    let idle = configuration.idleTimeout.components
    return Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [ParseErrorEnvelopeHandler()],
                                            idleTimeout: .nanoseconds(idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "gridsync",
                             availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)),
        services: [Housekeeping(chores: [.photoGarbage(photos), .tombstonePurge(engine, configuration.retention), .refusalLog(engine)],
                                every: .seconds(3_600), now: now, logger: logger),
                   Housekeeping(chores: [.erasureScrub(engine.store, environment.scrubOwed)], every: .seconds(60), now: now, logger: logger)],
        onServerRunning: onServerRunning,
        logger: logger)
}
