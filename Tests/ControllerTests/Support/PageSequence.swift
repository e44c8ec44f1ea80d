import Controller
import NIOCore

/// Pages served in order to two scrapers, Prometheus and Ballast's: the page moves on only after both fetched it,
/// so both see every page whatever their timing.
actor PageSequence {
    private let pages: [ByteBuffer]
    private(set) var index = 0
    private var fetchedBy: Set<Bool> = []

    init(_ pages: [[UInt8]]) { self.pages = pages.map { ByteBuffer(bytes: $0) } }

    /// Whether both scrapers fetched the last page.
    var finished: Bool { index == pages.count - 1 && fetchedBy.count == 2 }

    func answer(_ request: MetricsPageServer.Request) -> MetricsPageServer.Page {
        let page = pages[index]
        fetchedBy.insert(request.userAgent.hasPrefix("Prometheus"))
        if fetchedBy.count == 2 && index < pages.count - 1 {
            index += 1
            fetchedBy = []
        }
        return MetricsPageServer.Page(body: page)
    }
}
