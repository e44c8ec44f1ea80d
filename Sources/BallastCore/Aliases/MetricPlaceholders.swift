/// A `${name}` placeholder found in a signal's PromQL text.
public struct MetricPlaceholder: Hashable, Sendable {
    /// The text between `${` and `}`.
    public var name: String
    /// The neutral metric it names, or `nil` when the name is unknown.
    public var metric: NeutralMetric?
    /// Offset of the `$` from the start of the query, in characters (0-based).
    public var offset: Int

    /// Creates a placeholder record.
    public init(name: String, metric: NeutralMetric?, offset: Int) {
        self.name = name
        self.metric = metric
        self.offset = offset
    }
}

/// Why a query's placeholders could not be replaced by an engine's metric names.
public struct MetricPlaceholderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Hashable, Sendable {
        /// `${name}` names no ``NeutralMetric``; `suggestion` is the closest known name, if any.
        case unknownName(String, suggestion: String?)
        /// The engine has no such metric.
        case unavailable(NeutralMetric, MetricsEngine, reason: String)
        /// `${` without a closing `}`.
        case unterminated
    }

    /// What went wrong.
    public var reason: Reason
    /// Offset of the placeholder's `$` from the start of the query, in characters (0-based).
    public var offset: Int

    /// Creates an error.
    public init(reason: Reason, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// A sentence saying what is wrong and what to write instead.
    public var description: String {
        switch reason {
        case .unknownName(let name, let suggestion):
            let hint = suggestion.map { "did you mean ${\($0)}? " } ?? ""
            let known = NeutralMetric.allCases.map { "${\($0.rawValue)}" }.joined(separator: ", ")
            return "${\(name)} is not a known metric placeholder; \(hint)known placeholders are \(known)."
        case .unavailable(let metric, let engine, let reason):
            return "${\(metric.rawValue)} has no equivalent on engine \(engine.rawValue): \(reason)"
        case .unterminated:
            return "the placeholder starting with ${ has no closing }; write ${name}."
        }
    }
}

extension MetricAliases {
    /// Every `${name}` placeholder in `query`, in order. An unterminated `${` ends the scan.
    public static func placeholders(in query: String) -> [MetricPlaceholder] {
        var found: [MetricPlaceholder] = []
        let characters = Array(query)
        var index = 0
        while index + 1 < characters.count {
            guard characters[index] == "$", characters[index + 1] == "{" else {
                index += 1
                continue
            }
            guard let close = characters[(index + 2)...].firstIndex(of: "}") else { break }
            let name = String(characters[(index + 2)..<close])
            found.append(MetricPlaceholder(name: name, metric: NeutralMetric(rawValue: name), offset: index))
            index = close + 1
        }
        return found
    }

    /// `query` with every `${name}` placeholder replaced by `engine`'s metric names.
    ///
    /// Characters that directly follow the placeholder and could continue a metric name (`_bucket`, `_sum`,
    /// `_count`) are appended to every spelling, and a label matcher block that directly follows (`{model="x"}`)
    /// is merged into the selector, so `rate(${queue_wait_seconds}_bucket{model="x"}[1m])` becomes
    /// `rate(vllm:request_queue_time_seconds_bucket{model="x"}[1m])` on vLLM. Renamed metrics become
    /// `{__name__=~"new|old"}` selectors.
    public static func resolve(_ query: String, engine: MetricsEngine) throws(MetricPlaceholderError) -> String {
        let characters = Array(query)
        var output = ""
        var index = 0
        while index < characters.count {
            guard characters[index] == "$", index + 1 < characters.count, characters[index + 1] == "{" else {
                output.append(characters[index])
                index += 1
                continue
            }
            let start = index
            guard let close = characters[(index + 2)...].firstIndex(of: "}") else {
                throw MetricPlaceholderError(reason: .unterminated, offset: start)
            }
            let name = String(characters[(index + 2)..<close])
            guard let metric = NeutralMetric(rawValue: name) else {
                let suggestion = Spelling.closest(to: name, among: NeutralMetric.allCases.map(\.rawValue))
                throw MetricPlaceholderError(reason: .unknownName(name, suggestion: suggestion), offset: start)
            }
            let lookup = lookup(metric, engine: engine)
            guard let alias = lookup.alias else {
                if case .unavailable(let reason) = lookup {
                    throw MetricPlaceholderError(reason: .unavailable(metric, engine, reason: reason), offset: start)
                }
                throw MetricPlaceholderError(reason: .unavailable(metric, engine, reason: ""), offset: start)
            }
            index = close + 1
            var suffix = ""
            while index < characters.count, isNameCharacter(characters[index]) {
                suffix.append(characters[index])
                index += 1
            }
            var matchers = ""
            if index < characters.count, characters[index] == "{", let end = matcherBlockEnd(characters, from: index) {
                matchers = String(characters[(index + 1)..<end])
                index = end + 1
            }
            output += selector(names: alias.names.map { $0 + suffix }, matchers: matchers)
        }
        return output
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character == "_" || character == ":" || (character.isASCII && (character.isLetter || character.isNumber))
    }

    /// Index of the `}` closing the matcher block that opens at `start`, skipping quoted label values.
    private static func matcherBlockEnd(_ characters: [Character], from start: Int) -> Int? {
        var index = start + 1
        var quote: Character?
        while index < characters.count {
            let character = characters[index]
            if let open = quote {
                if character == "\\" {
                    index += 1
                } else if character == open {
                    quote = nil
                }
            } else if character == "\"" || character == "'" || character == "`" {
                quote = character
            } else if character == "}" {
                return index
            }
            index += 1
        }
        return nil
    }
}
