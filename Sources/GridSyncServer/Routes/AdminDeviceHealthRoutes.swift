import Foundation
import GridSyncCore
import GridSyncProtocol
import Hummingbird

/// Why terminals struggle, for the command centre after a storm: the failing ones with a
/// reason each, and everything known of one. `Protocol/README.md`, "Admin: devices".
struct AdminDeviceHealthRoutes {
    let environment: ServerEnvironment

    func register(on group: RouterGroup<GridSyncRequestContext>) {
        group.get("devices/failing", use: environment.auditingRefusals("devices.failing", failing))
        group.get("devices/:deviceID", use: environment.auditingRefusals("devices.show", show))
    }

    @Sendable func failing(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        let health = try await environment.engine.health(now: environment.now()).filter { !$0.problems.isEmpty }
        // Worst first: by the worst problem's kind (the order they are declared in), then by how many.
        let order = Dictionary(uniqueKeysWithValues: [DeviceProblem.Kind.revoked, .failing, .stale, .parked, .outbox, .lagging].enumerated().map { ($1, $0) })
        let sorted = health.sorted { lhs, rhs in
            let left = lhs.problems.map { order[$0.kind]! }.min()!, right = rhs.problems.map { order[$0.kind]! }.min()!
            return (left, -lhs.problems.count, lhs.device.id) < (right, -rhs.problems.count, rhs.device.id)
        }
        try await environment.audit(actor.name, "devices.failing", detail: "\(sorted.count) terminals")
        return try JSONBody.response(FailingDeviceList(devices: sorted.map(detail)))
    }

    @Sendable func show(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let actor = try await environment.authenticator.ops(request, needs: .viewer)
        let id = context.parameters.get("deviceID") ?? ""
        guard let health = try await environment.engine.health(of: [id], now: environment.now()).first else {
            throw APIError(.notFound, .notFound, "no device \(id): list devices to find its id")
        }
        try await environment.audit(actor.name, "devices.show", target: id)
        return try JSONBody.response(detail(health))
    }

    func detail(_ health: DeviceHealth) -> DeviceDetail {
        DeviceDetail(summary: AdminDeviceRoutes(environment: environment).summary(of: health.device, grids: health.scope),
                     lastPushAt: health.device.lastPushAt, lastPullAt: health.device.lastPullAt, cursorLag: health.cursorLag,
                     clientErrors24h: health.refusals.client, serverErrors24h: health.refusals.server,
                     report: health.device.report, problems: health.problems)
    }
}
