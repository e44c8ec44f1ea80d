/// A vector selector such as `ballast_requests_total{status="ok"}[5m] offset 1m`.
public struct VectorSelector: Sendable, Hashable, CustomStringConvertible {
    /// The metric name written before the braces; `nil` for `{__name__=~"..."}` style selectors.
    public var name: String?
    /// Matchers, including one `__name__="name"` matcher when ``name`` is set.
    public var matchers: [LabelMatcher]
    /// Range in milliseconds for a range selector (`[5m]` is 300000); `nil` for an instant selector.
    public var rangeMilliseconds: Int64?
    /// `offset` in milliseconds (0 when absent); negative offsets look into the future.
    public var offsetMilliseconds: Int64

    /// Creates a selector.
    public init(name: String?, matchers: [LabelMatcher], rangeMilliseconds: Int64? = nil, offsetMilliseconds: Int64 = 0)
    {
        self.name = name
        self.matchers = matchers
        self.rangeMilliseconds = rangeMilliseconds
        self.offsetMilliseconds = offsetMilliseconds
    }

    /// The metric names this selector can only match: its name, or the value of a `__name__="..."` matcher.
    public var metricName: String? {
        name ?? matchers.first(where: { $0.name == "__name__" && $0.operator == .equal })?.value
    }

    /// The selector in PromQL syntax.
    public var description: String {
        var text = name ?? ""
        let shown = matchers.filter { !($0.name == "__name__" && $0.operator == .equal && $0.value == name) }
        if !shown.isEmpty || name == nil {
            text += "{" + shown.map(\.description).joined(separator: ", ") + "}"
        }
        if let rangeMilliseconds { text += "[\(formatDuration(rangeMilliseconds))]" }
        if offsetMilliseconds > 0 { text += " offset \(formatDuration(offsetMilliseconds))" }
        if offsetMilliseconds < 0 { text += " offset -\(formatDuration(-offsetMilliseconds))" }
        return text
    }
}

/// A duration in Prometheus notation, largest units first: 5400000 is `1h30m`, 500 is `500ms`.
func formatDuration(_ milliseconds: Int64) -> String {
    if milliseconds == 0 { return "0s" }
    let units: [(String, Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
        ("s", 1000), ("ms", 1),
    ]
    var rest = milliseconds
    var text = ""
    for (unit, size) in units where rest >= size {
        text += "\(rest / size)\(unit)"
        rest %= size
    }
    return text
}
