import BallastCore

/// The prometheus-adapter rule that serves the HPA's per-pod queue-wait metric through the custom metrics API.
///
/// Without it the HPA's `Pods` metric has nothing behind it. The adapter reads the queue-wait histogram
/// (labelled `namespace` and `pod` by the ServiceMonitor's scrape) and serves its per-pod p95 over 1 minute,
/// the window of document 001's queue-time signal, under ``RenderOptions/queueWaitMetric``.
enum AdapterRules {
    /// The file's path for policy `name`: in its own folder, because it is not a Kubernetes object and
    /// `kubectl apply -f DIR` (which does not descend into folders) must not see it. Merge its `rules`
    /// into the adapter's configuration.
    static func fileName(policy name: String) -> String { "prometheus/\(name)-adapter-rules.yaml" }

    /// The adapter configuration, or `nil` when the engine has no queue-wait histogram.
    static func render(_ context: WorkerContext) -> YAMLNode? {
        guard let names = MetricAliases.lookup(.queueWaitSeconds, engine: context.policy.target.engine).alias?.names,
            let name = names.first
        else { return nil }
        let buckets = name + "_bucket"
        return .map([
            "rules": [
                .map([
                    "seriesQuery": .string("\(buckets){namespace!=\"\",pod!=\"\"}"),
                    "resources": .map([
                        "overrides": .map([
                            "namespace": .map(["resource": "namespace"]),
                            "pod": .map(["resource": "pod"]),
                        ])
                    ]),
                    "name": .map([
                        // Metric names hold only letters, digits, `_` and `:`, none special in a regular expression.
                        "matches": .string("^\(buckets)$"),
                        "as": .string(context.options.queueWaitMetric),
                    ]),
                    "metricsQuery": .string(
                        "histogram_quantile(0.95, sum by (<<.GroupBy>>, le) (rate(<<.Series>>{<<.LabelMatchers>>}[1m])))"
                    ),
                ])
            ]
        ])
    }
}
