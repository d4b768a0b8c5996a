import Hummingbird

/// Counts every response by matched route and status, errors included.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = GridSyncRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        metrics.countRequest(route: context.endpointPath ?? "unmatched", status: Int(response.status.code))
        return response
    }
}
