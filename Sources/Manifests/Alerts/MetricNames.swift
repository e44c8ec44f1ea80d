import Foundation
import BallastCore

/// Turns engine-neutral metric names into the names a fleet exports, for alert expressions and for the
/// `${placeholder}` names in signal queries.
///
/// Ballast's own worker names follow the DESIGN.md metrics contract and are built in. Other engines' names
/// come from ``RenderOptions/metricNames`` (the engine alias table lives with the controller, which passes it).
struct MetricNames: Sendable {
    let engine: MetricsEngine
    let model: String
    let overrides: [String: String]

    /// Ballast worker names by neutral name; `waiting_requests` is the contract's `ballast_queue_depth`.
    private static let ballast: [NeutralMetric: String] = {
        var names: [NeutralMetric: String] = [:]
        for metric in NeutralMetric.allCases { names[metric] = "ballast_" + metric.rawValue }
        names[.waitingRequests] = "ballast_queue_depth"
        return names
    }()

    /// The exported name of `metric`, or `nil` when neither an override nor the built-in table has one.
    func name(of metric: NeutralMetric) -> String? {
        overrides[metric.rawValue] ?? (engine == .ballast ? Self.ballast[metric] : nil)
    }

    /// A selector of `metric` for this fleet: `ballast_queue_depth{model="r1-7b"}` for Ballast workers,
    /// whose samples all carry `model`; other engines label models differently, so their selector is the bare name.
    /// `suffix` is appended to the name, such as `_bucket` for a histogram's buckets.
    func selector(_ metric: NeutralMetric, suffix: String = "", field: String) throws(ManifestError) -> String {
        guard let name = name(of: metric) else {
            throw ManifestError(
                field: field,
                message: "the \(engine.rawValue) engine's name for \(metric.rawValue) is unknown here; pass it in RenderOptions.metricNames[\"\(metric.rawValue)\"]."
            )
        }
        let escaped = model.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return engine == .ballast && overrides[metric.rawValue] == nil ? "\(name)\(suffix){model=\"\(escaped)\"}" : name + suffix
    }

    /// `query` with every `${name}` replaced by the engine's metric name; an unknown or unterminated
    /// placeholder is an error naming `field`.
    func resolve(_ query: String, field: String) throws(ManifestError) -> String {
        var out = ""
        var rest = Substring(query)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else {
                throw ManifestError(field: field, message: "a \"${\" placeholder is never closed; write ${name} with a closing brace.")
            }
            let placeholder = String(afterOpen[..<close])
            if let override = overrides[placeholder] {
                out += override
            } else if let metric = NeutralMetric(rawValue: placeholder) {
                guard let name = name(of: metric) else {
                    throw ManifestError(
                        field: field,
                        message: "${\(placeholder)} has no \(engine.rawValue) metric name here; pass it in RenderOptions.metricNames[\"\(placeholder)\"]."
                    )
                }
                out += name
            } else {
                let known = NeutralMetric.allCases.map(\.rawValue).joined(separator: ", ")
                throw ManifestError(field: field, message: "${\(placeholder)} names no known metric; use one of \(known).")
            }
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        return out + rest
    }
}
