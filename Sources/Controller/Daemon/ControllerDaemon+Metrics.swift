import BallastCore
public import PromText

extension ControllerDaemon {
    /// The controller's own metric families: ticks, decisions, actions, replicas and scrape health.
    public func metricFamilies() async -> [MetricFamily] {
        let c = counters
        func family(_ name: String, _ type: MetricType, _ help: String, _ samples: [Sample]) -> MetricFamily {
            MetricFamily(name: name, type: type, help: help, samples: samples)
        }
        func one(_ name: String, _ value: Double, _ labels: Labels = Labels()) -> [Sample] {
            [Sample(name: name, labels: labels, value: value)]
        }
        var families = [
            family("ballast_controller_ticks_total", .counter, "Evaluation ticks run.", one("ballast_controller_ticks_total", Double(c.ticks))),
            family(
                "ballast_controller_tick_duration_seconds", .gauge, "Seconds the last tick took, reads and actions included.",
                one("ballast_controller_tick_duration_seconds", c.lastTickSeconds)),
            family(
                "ballast_controller_store_failures_total", .counter, "Ticks whose state could not be recorded, so nothing was done.",
                one("ballast_controller_store_failures_total", Double(c.storeFailures))),
            family("ballast_controller_alerts_total", .counter, "Alerts raised.", one("ballast_controller_alerts_total", Double(c.alerts))),
            family(
                "ballast_controller_decisions_total", .counter, "Decisions by policy, kind and rule.",
                c.decisions.keys.sorted { ($0.policy, $0.kind, $0.rule) < ($1.policy, $1.kind, $1.rule) }.map { key in
                    Sample(
                        name: "ballast_controller_decisions_total",
                        labels: Labels([Label("policy", key.policy), Label("kind", key.kind), Label("rule", key.rule)]),
                        value: Double(c.decisions[key] ?? 0))
                }),
            family(
                "ballast_controller_actions_total", .counter, "Actions finished, by kind and outcome.",
                c.actions.keys.sorted().flatMap { kind in
                    (c.actions[kind] ?? [:]).keys.sorted().map { outcome in
                        Sample(
                            name: "ballast_controller_actions_total",
                            labels: Labels([Label("kind", kind), Label("outcome", outcome)]),
                            value: Double(c.actions[kind]?[outcome] ?? 0))
                    }
                }),
        ]
        var desired: [Sample] = []
        var ready: [Sample] = []
        var starting: [Sample] = []
        var shards: [Sample] = []
        for policy in order {
            guard let entry = managed[policy] else { continue }
            let labels = Labels([Label("policy", policy), Label("model", entry.deployment.key.model)])
            desired.append(Sample(name: "ballast_controller_desired_replicas", labels: labels, value: Double(entry.desired.replicas)))
            ready.append(
                Sample(name: "ballast_controller_ready_replicas", labels: labels, value: Double(entry.lastFleet?.readyReplicas ?? 0)))
            starting.append(
                Sample(
                    name: "ballast_controller_starting_replicas", labels: labels,
                    value: Double(entry.lastFleet?.startingSince.count ?? 0)))
            shards.append(Sample(name: "ballast_controller_shards", labels: labels, value: Double(entry.desired.shards)))
        }
        families += [
            family("ballast_controller_desired_replicas", .gauge, "Replicas the controller wants.", desired),
            family("ballast_controller_ready_replicas", .gauge, "Replicas serving, as the runtime reports.", ready),
            family("ballast_controller_starting_replicas", .gauge, "Replicas starting, as the runtime reports.", starting),
            family("ballast_controller_shards", .gauge, "Shards per replica the controller wants.", shards),
        ]
        let health = await source.health()
        func perTarget(_ name: String, _ value: (TargetHealthValue) -> Double?) -> [Sample] {
            health.compactMap { h in
                value(TargetHealthValue(h)).map {
                    Sample(name: name, labels: Labels([Label("instance", h.target.instance)]), value: $0)
                }
            }
        }
        families += [
            family("ballast_controller_target_up", .gauge, "1 when the last scrape or query of the target succeeded.", perTarget("ballast_controller_target_up") { $0.up }),
            family(
                "ballast_controller_scrape_duration_seconds", .gauge, "Seconds the last scrape of the target took.",
                perTarget("ballast_controller_scrape_duration_seconds") { $0.duration }),
            family(
                "ballast_controller_scrape_samples", .gauge, "Samples the last successful scrape of the target held.",
                perTarget("ballast_controller_scrape_samples") { $0.samples }),
        ]
        return families.filter { !$0.samples.isEmpty }
    }

    /// ``metricFamilies()`` as Prometheus text.
    public func metricsPage() async -> [UInt8] {
        var buffer: [UInt8] = []
        for family in await metricFamilies() { PromTextWriter.emit(family, into: &buffer) }
        return buffer
    }
}

/// A target's health as numbers.
private struct TargetHealthValue {
    var up: Double?
    var duration: Double?
    var samples: Double?

    init(_ health: TargetHealth) {
        up = health.up ? 1 : 0
        duration = health.lastDurationSeconds
        samples = health.lastScrape == nil ? nil : Double(health.samples)
    }
}
