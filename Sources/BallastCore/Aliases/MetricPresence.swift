/// A metric a policy reads: an engine-neutral placeholder or a literal series name.
public enum MetricReference: Hashable, Sendable {
    /// `${name}` in a signal's query.
    case neutral(NeutralMetric)
    /// A metric name written as is in a signal's query.
    case literal(String)

    /// The reference as written in a policy: `${kv_cache_usage_ratio}` or `vllm:num_requests_waiting`.
    public var text: String {
        switch self {
        case .neutral(let metric): "${\(metric.rawValue)}"
        case .literal(let name): name
        }
    }
}

/// Whether one metric a policy reads appears on the targets' `/metrics` pages.
public struct MetricPresence: Hashable, Sendable {
    /// What the policy reads.
    public var reference: MetricReference
    /// Series names that satisfy it, in order of preference; empty when the engine has no such metric.
    public var candidates: [String]
    /// The first candidate found on at least one page; `nil` when it is absent from every page.
    public var matched: String?
    /// Why the engine has no such metric, for placeholders it cannot serve; otherwise `nil`.
    public var unavailableReason: String?

    /// Creates a presence entry.
    public init(reference: MetricReference, candidates: [String], matched: String?, unavailableReason: String? = nil) {
        self.reference = reference
        self.candidates = candidates
        self.matched = matched
        self.unavailableReason = unavailableReason
    }
}

/// Which of a policy's metrics the targets expose, for `policy explain` to fail loudly on missing ones.
public struct MetricPresenceReport: Hashable, Sendable {
    /// One entry per distinct reference, in the order given.
    public var entries: [MetricPresence]

    /// Creates a report.
    public init(entries: [MetricPresence]) {
        self.entries = entries
    }

    /// References found on no target page.
    public var missing: [MetricPresence] { entries.filter { $0.matched == nil } }

    /// True when every reference was found on at least one page.
    public var isComplete: Bool { missing.isEmpty }
}

extension MetricAliases {
    /// Checks `references` against the metric names present on the targets' pages.
    ///
    /// - Parameters:
    ///   - references: metrics the policy reads.
    ///   - engine: the engine whose spellings resolve placeholders.
    ///   - pageNames: names seen on any target's page, as family names (`x`) or series names (`x_bucket`);
    ///     both forms match a histogram.
    public static func presence(
        of references: [MetricReference],
        engine: MetricsEngine,
        pageNames: some Sequence<String>
    ) -> MetricPresenceReport {
        let present = Set(pageNames)
        var seen: Set<MetricReference> = []
        var entries: [MetricPresence] = []
        for reference in references where seen.insert(reference).inserted {
            switch reference {
            case .neutral(let metric):
                switch lookup(metric, engine: engine) {
                case .metric(let alias):
                    let matched = alias.names.first { isPresent($0, in: present) }
                    entries.append(MetricPresence(reference: reference, candidates: alias.names, matched: matched))
                case .unavailable(let reason):
                    entries.append(
                        MetricPresence(reference: reference, candidates: [], matched: nil, unavailableReason: reason))
                }
            case .literal(let name):
                let matched = isPresent(name, in: present) ? name : nil
                entries.append(MetricPresence(reference: reference, candidates: [name], matched: matched))
            }
        }
        return MetricPresenceReport(entries: entries)
    }

    private static let histogramSuffixes = ["_bucket", "_sum", "_count"]

    private static func isPresent(_ name: String, in present: Set<String>) -> Bool {
        if present.contains(name) { return true }
        // A histogram's family name matches its series, and a series name matches its family.
        if histogramSuffixes.contains(where: { present.contains(name + $0) }) { return true }
        for suffix in histogramSuffixes where name.hasSuffix(suffix) {
            if present.contains(String(name.dropLast(suffix.count))) { return true }
        }
        return false
    }
}
