import Foundation
import GridSyncCore
import GridSyncProtocol
import Hummingbird

/// What every route needs, built once by ``buildApplication(configuration:store:)``.
struct ServerEnvironment: Sendable {
    let engine: SyncEngine
    let limits: SyncLimits
    let metrics: ServerMetrics
    let authenticator: Authenticator
    let groupCommit: GroupCommit
    /// Admission for pushes and pulls: what a storm may queue before it is told to come back.
    let pushGate: AdmissionGate
    let pullGate: AdmissionGate
    let blobGate: AdmissionGate
    /// Pushes and pulls a second at which photo uploads wait (``AdmissionPolicy/photosYieldAt``).
    let photosYieldAt: Double
    /// How fast pushes and pulls are arriving.
    let syncRate = RequestRate()
    /// Photo blobs: uploads, reads and garbage collection.
    let photos: PhotoLibrary
    /// Set when an erasure's scrub could not finish at once: housekeeping finishes it.
    let scrubOwed = ScrubOwed()
    /// How long a push body may take to arrive (`ServerConfiguration.bodyTimeout`).
    let bodyTimeout: Duration
    /// Injected so tests can pin "today"; server time is used only for display and staleness,
    /// never for merging.
    let now: @Sendable () -> Date

    init(engine: SyncEngine, limits: SyncLimits, metrics: ServerMetrics, photos: PhotoLibrary, bodyTimeout: Duration = .seconds(120),
         admission: AdmissionPolicy = AdmissionPolicy(), now: @escaping @Sendable () -> Date) {
        self.pushGate = AdmissionGate(name: "push", slots: admission.pushSlots, target: admission.queueTarget)
        self.pullGate = AdmissionGate(name: "pull", slots: admission.pullSlots, target: admission.queueTarget)
        self.blobGate = AdmissionGate(name: "blob", slots: admission.blobSlots, target: admission.queueTarget,
                                      expectedService: .milliseconds(40))
        self.photos = photos
        self.photosYieldAt = admission.photosYieldAt
        self.bodyTimeout = bodyTimeout
        self.engine = engine
        self.limits = limits
        self.metrics = metrics
        self.authenticator = Authenticator(engine: engine)
        self.groupCommit = GroupCommit(engine: engine)
        // Whole milliseconds, as times are printed: what is stored is what is shown.
        self.now = { FieldValueCoding.wholeMilliseconds(now()) }
    }

    /// Runs `body` under `gate`, counting a refusal for overload in the metrics by the gate's
    /// name, so that operators see a storm's waves per kind of request.
    func refusingOverload<T>(_ gate: AdmissionGate, _ body: (AdmissionGate) async throws -> T) async throws -> T {
        do {
            return try await body(gate)
        } catch let error as APIError where error.body.code == .overloaded {
            metrics.countRefusal(gate.name)
            throw error
        }
    }

    /// Writes an audit line; an audit failure fails the action rather than going unrecorded.
    func audit(_ actor: String, _ action: String, target: String? = nil, outcome: String = "ok", detail: String? = nil) async throws {
        try await engine.appendAudit(actor: actor, action: action, target: target, outcome: outcome, detail: detail, at: now())
    }

    /// Wraps a device-facing handler so that a request refused (4xx) or failed (5xx) is noted
    /// against the device its token names, a revoked one included: `devices failing` shows who
    /// keeps failing, and why. A 429 or 503 is the server pacing a storm, not the terminal
    /// failing: those are never counted, and never cost a write while the server is busiest.
    func countingRefusals(
        _ handler: @escaping @Sendable (Request, GridSyncRequestContext) async throws -> Response
    ) -> @Sendable (Request, GridSyncRequestContext) async throws -> Response {
        { request, context in
            do {
                return try await handler(request, context)
            } catch {
                let status: Int
                switch error {
                case let refusal as APIError: status = Int(refusal.status.code)
                case let failure as StoreError: if case .unavailable = failure.code { status = 503 } else { status = 500 }
                default: status = 500
                }
                if status >= 400, status != 429, status != 503, let device = await authenticator.deviceID(request) {
                    try? await engine.noteRefusal(deviceID: device, server: status >= 500, at: now())
                }
                throw error
            }
        }
    }

    /// Wraps an admin handler so that a refusal after the caller is known (a bad body, a stale
    /// resolve, a wrong role) is audited too, with its error code as the outcome. Successes
    /// are audited by the handler itself, which knows what it did.
    func auditingRefusals(
        _ action: String, _ handler: @escaping @Sendable (Request, GridSyncRequestContext) async throws -> Response
    ) -> @Sendable (Request, GridSyncRequestContext) async throws -> Response {
        { request, context in
            do {
                return try await handler(request, context)
            } catch let error as APIError where error.status != .unauthorized {
                let actor = await authenticator.opsName(request) ?? "unknown"
                try await audit(actor, action, target: request.uri.path, outcome: error.body.code.rawValue)
                throw error
            }
        }
    }
}
