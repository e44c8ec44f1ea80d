import BallastTestSupport
import Controller
import NIOCore

/// What loopback metric targets answer, changeable between requests: a page per path, a path that hangs until
/// released, and a log of requests.
actor PageStore {
    private var pages: [String: MetricsPageServer.Page] = [:]
    private var hanging: Set<String> = []
    private var released = false
    private(set) var requests: [MetricsPageServer.Request] = []
    /// Requests currently held by a hanging path.
    private(set) var waiting = 0

    func set(_ path: String, text: String) { pages[path] = MetricsPageServer.Page(text: text) }
    func set(_ path: String, page: MetricsPageServer.Page) { pages[path] = page }
    func remove(_ path: String) { pages[path] = nil }
    func hang(_ path: String) { hanging.insert(path) }
    /// Lets every hanging request answer 503, so servers can stop.
    func release() { released = true }
    func requestCount(_ path: String) -> Int { requests.filter { $0.path == path }.count }

    /// The answer for one request; a hanging path waits (bounded at 60 s) until ``release()``.
    func answer(_ request: MetricsPageServer.Request) async -> MetricsPageServer.Page {
        requests.append(request)
        if hanging.contains(request.path) {
            waiting += 1
            try? await waitUntil("the hanging path to be released", timeout: .seconds(60), poll: .milliseconds(10)) {
                self.released
            }
            waiting -= 1
            return MetricsPageServer.Page(status: 503, body: ByteBuffer(string: "released\n"))
        }
        return pages[request.path] ?? MetricsPageServer.Page(status: 404, body: ByteBuffer(string: "no page\n"))
    }
}
