import BallastCore
import Foundation

/// Turns engine-neutral metric names into the names a fleet exports, for alert expressions and for the
/// `${placeholder}` names in signal queries, through the core's alias table (``MetricAliases``).
struct MetricNames: Sendable {
    let engine: MetricsEngine
    let model: String

    /// A selector of `metric` for this fleet, or `nil` when the engine does not export it. Ballast workers
    /// label every sample with `model`, so theirs is `ballast_queue_depth{model="r1-7b"}`; other engines
    /// label models differently (vLLM: `model_name`), so theirs select by name only.
    /// - Parameter suffix: appended to the name, such as `_bucket` for a histogram's buckets.
    func selector(_ metric: NeutralMetric, suffix: String = "") -> String? {
        let escaped = model.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let matchers = engine == .ballast ? "model=\"\(escaped)\"" : ""
        return MetricAliases.selector(for: metric, engine: engine, suffix: suffix, matchers: matchers)
    }

    /// Like ``selector(_:suffix:)``, but an engine without the metric is an error naming `field`.
    func requiredSelector(_ metric: NeutralMetric, suffix: String = "", field: String) throws(ManifestError) -> String {
        if let selector = selector(metric, suffix: suffix) { return selector }
        let why: String
        if case .unavailable(let reason) = MetricAliases.lookup(metric, engine: engine) {
            why = " (\(reason.hasSuffix(".") ? String(reason.dropLast()) : reason))"
        } else {
            why = ""
        }
        throw ManifestError(
            field: field,
            message:
                "the \(engine.rawValue) engine exports no \(metric.rawValue)\(why); use a signal this engine has, or set spec.target.engine to the engine the workers run."
        )
    }

    /// `query` with every `${name}` replaced by the engine's metric names; an unknown, unavailable or
    /// unterminated placeholder is an error naming `field`.
    func resolve(_ query: String, field: String) throws(ManifestError) -> String {
        do {
            return try MetricAliases.resolve(query, engine: engine)
        } catch {
            let sentence = error.description
            throw ManifestError(field: field, message: "at character \(error.offset + 1) of the query, " + sentence)
        }
    }
}
