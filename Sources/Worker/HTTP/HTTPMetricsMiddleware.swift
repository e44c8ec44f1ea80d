import Hummingbird

/// Times every HTTP request into `http_request_duration_seconds{route}`; unknown paths count as `other` so the
/// label's values stay few.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: WorkerMetrics

    static var routes: Set<String> {
        ["/health", "/ready", "/metrics", "/v1/models", "/v1/completions", "/v1/chat/completions"]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let path = request.uri.path
        let route = Self.routes.contains(path) ? path : "other"
        defer { metrics.observeHTTP(route: route, seconds: start.duration(to: .now).seconds) }
        return try await next(request, context)
    }
}
