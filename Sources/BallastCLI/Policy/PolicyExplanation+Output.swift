import BallastCore
import Foundation
import PolicyFile

extension PolicyExplanation {
    /// The last evaluation for people: signals, rules, the replica decision and actions, with where each is defined.
    func text() -> String {
        guard let evaluation = evaluations.last else { return "No scrapes to evaluate.\n" }
        let policy = document.policy
        var out: [String] = []
        let scrapeCount = targets.map(\.scrapes).reduce(0, +)
        out.append("Policy \(policy.name) (\(document.file)), engine \(policy.target.engine.rawValue): "
            + "\(targets.count) target\(targets.count == 1 ? "" : "s"), \(scrapeCount) scrape\(scrapeCount == 1 ? "" : "s"), "
            + "\(evaluations.count) evaluation\(evaluations.count == 1 ? "" : "s"); showing the last.")

        out.append("")
        out.append("Signals")
        let nameWidth = max(8, evaluation.signals.map(\.name.count).max() ?? 0)
        for signal in evaluation.signals {
            let value = Self.describe(signal.reading) + (signal.formula.map { " = \($0)" } ?? "")
            let location = document.location(ofSignal: signal.name).map { "  (\($0))" } ?? ""
            out.append("  \(signal.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  \(value)\(location)")
        }

        out.append("")
        out.append("Rules")
        let ruleWidth = max(8, evaluation.rules.map(\.rule.count).max() ?? 0)
        for rule in evaluation.rules {
            let status = Self.describe(rule.status, at: evaluation.time)
            let note = rule.note.map { "; \($0)" } ?? ""
            out.append("  \(rule.rule.padding(toLength: ruleWidth, withPad: " ", startingAt: 0))  "
                + "\(rule.action.padding(toLength: 8, withPad: " ", startingAt: 0)) \(status): \(rule.condition)\(note)")
        }

        out.append("")
        out.append("Replicas")
        let scaling = evaluation.scaling
        out.append("  \(scaling.currentReplicas) → \(scaling.desiredReplicas)" + (scaling.changes ? "" : " (no change)"))
        for recommendation in scaling.recommendations {
            let note = recommendation.note.map { " (\($0))" } ?? ""
            out.append("  - \(recommendation.rule): \(recommendation.formula)\(note)")
        }
        for step in scaling.steps {
            out.append("  - \(step.kind.rawValue) \(step.from) → \(step.to): \(step.detail)")
        }

        out.append("")
        out.append("Actions")
        if evaluation.actions.isEmpty {
            out.append("  none due")
        } else {
            out += evaluation.actions.map { "  \($0.summary)" }
        }

        let missing = presence.missing
        if !missing.isEmpty {
            out.append("")
            out.append("Missing metrics")
            out += missing.map { "  \(Self.describe($0))" }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A sentence naming every metric the policy reads that no target exposes.
    func missingMetricsMessage() -> String {
        let names = presence.missing.map { $0.reference.text }.joined(separator: ", ")
        return "error: \(names) \(presence.missing.count == 1 ? "is" : "are") absent from every target; "
            + "check the policy's engine (\(document.policy.target.engine.rawValue)) and metric names, "
            + "or pass --allow-missing to evaluate anyway."
    }

    /// Every evaluation with the presence report, as JSON.
    func json() throws -> String {
        struct Output: Encodable {
            var policy: String
            var file: String
            var targets: [Target]
            var missingMetrics: [Missing]
            var evaluation: Evaluation?
            var history: [Evaluation]
        }
        struct Target: Encodable {
            var instance: String
            var scrapes: Int
        }
        struct Missing: Encodable {
            var metric: String
            var candidates: [String]
            var reason: String?
        }
        let output = Output(
            policy: document.policy.name,
            file: document.file,
            targets: targets.map { Target(instance: $0.instance, scrapes: $0.scrapes) },
            missingMetrics: presence.missing.map { Missing(metric: $0.reference.text, candidates: $0.candidates, reason: $0.unavailableReason) },
            evaluation: evaluations.last,
            history: evaluations
        )
        return try JSONOutput.document(output)
    }

    static func describe(_ reading: SignalReading) -> String {
        if let number = reading.number { return Self.format(number) }
        return reading.problem ?? "unavailable"
    }

    static func describe(_ status: RuleStatus, at now: Timestamp) -> String {
        switch status {
        case .inactive: "inactive"
        case .firing: "FIRING"
        case .pending(_, let remaining): "pending, \(Self.format(remaining)) to go"
        case .held(let reason): "held (\(reason))"
        case .coolingDown(let until): "cooling down for \(Self.format(until - now))"
        }
    }

    static func describe(_ presence: MetricPresence) -> String {
        if let reason = presence.unavailableReason { return "\(presence.reference.text): \(reason)" }
        return "\(presence.reference.text): none of \(presence.candidates.joined(separator: ", ")) is on any page"
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.4g", value)
    }

    static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        if seconds >= 3600 { return String(format: "%.1fh", seconds / 3600) }
        if seconds >= 60 { return String(format: "%.0fm%02.0fs", (seconds / 60).rounded(.down), seconds.truncatingRemainder(dividingBy: 60)) }
        return String(format: "%.0fs", seconds)
    }
}
