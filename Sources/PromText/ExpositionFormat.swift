/// The two text exposition formats Ballast reads and writes.
public enum ExpositionFormat: String, Sendable, Hashable, CaseIterable {
    /// Prometheus text format 0.0.4: integer millisecond timestamps, `# EOF` is an ordinary comment.
    case prometheus
    /// OpenMetrics 1.0 text: float second timestamps, the page must end with `# EOF`.
    case openMetrics

    /// The `Content-Type` a server sends with a page in this format.
    public var contentType: String {
        switch self {
        case .prometheus: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// The format a scraped page is in, judged by its `Content-Type` header.
    ///
    /// Anything that is not `application/openmetrics-text` is read as Prometheus text, as Prometheus itself does.
    public init(contentType: String) {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        let trimmed = mediaType.drop(while: { $0 == " " }).lowercased()
        self = trimmed.hasPrefix("application/openmetrics-text") ? .openMetrics : .prometheus
    }
}
