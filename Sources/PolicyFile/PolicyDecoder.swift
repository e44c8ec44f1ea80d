import BallastCore
import Yams

/// Turns a composed YAML tree into a ``PolicyDocument``, collecting every problem instead of stopping at the first.
///
/// Each `read…` method reports what is wrong at the node's line and returns `nil`, so one pass over a file
/// lists all of its mistakes. Cross-field checks (min above max, rules naming unknown signals) run after the
/// fields they compare were read.
final class PolicyDecoder {
    let file: String
    let checker: any QueryChecking
    var problems: [PolicyProblem] = []
    var signalLocations: [String: SourceLocation] = [:]
    var ruleLocations: [String: SourceLocation] = [:]
    var signalUnits: [String: MetricUnit] = [:]
    /// The engine whose metric names resolve placeholders; read from `spec.target` before signals.
    var engine: MetricsEngine = .ballast
    /// Whether `spec.price` is present, for cost signals.
    var hasPrice = false
    /// The comparisons of the rule being read, in the depth-first order of its condition; scale checks
    /// use them to point at the comparison a problem comes from.
    var comparisonSites: [ComparisonSite] = []

    init(file: String, checker: any QueryChecking) {
        self.file = file
        self.checker = checker
    }

    // MARK: Reporting

    func location(_ node: Node?) -> SourceLocation {
        let position = node?.position ?? (line: 0, column: 0)
        return SourceLocation(file: file, line: position.line, column: position.column)
    }

    func report(_ node: Node?, field: String, _ message: String) {
        problems.append(PolicyProblem(location: location(node), field: field, message: message))
    }

    /// Problems sorted by line; problems on one line keep the order they were found in.
    var sortedProblems: [PolicyProblem] {
        problems.enumerated()
            .sorted { ($0.element.location.line, $0.offset) < ($1.element.location.line, $1.offset) }
            .map(\.element)
    }

    // MARK: Mappings

    /// The node as a mapping with string keys, or `nil` after reporting what it is instead.
    func mapping(_ node: Node, path: String, example: String) -> FieldMap? {
        guard case .mapping(let mapping) = node else {
            let subject = path.isEmpty ? "the top level of a policy file" : path
            report(
                node, field: path,
                "\(subject) must be a mapping of fields such as `\(example)`, not \(node.shapeDescription).")
            return nil
        }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                let subject = path.isEmpty ? "the top level" : path
                report(
                    keyNode, field: path,
                    "\(subject) has a key that is \(keyNode.shapeDescription); keys must be plain names.")
                continue
            }
            if !seen.insert(key.string).inserted {
                let full = path.isEmpty ? key.string : "\(path).\(key.string)"
                report(keyNode, field: full, "\(full) appears twice; keep one.")
                continue
            }
            entries.append((key.string, keyNode, value))
        }
        return FieldMap(path: path, node: node, entries: entries)
    }

    /// Reports every key of `map` that was not read, suggesting the closest allowed key.
    func finish(_ map: FieldMap, allowed: [String]) {
        // Known keys left unread belong to a block that already reported a problem.
        for (key, keyNode) in map.unread where !allowed.contains(key) {
            let full = map.path(key)
            if let suggestion = Spelling.closest(to: key, among: allowed) {
                report(keyNode, field: full, "\(full) is not a known field; did you mean \(suggestion)?")
            } else {
                let known = allowed.joined(separator: ", ")
                let place = map.path.isEmpty ? "at the top level" : "in \(map.path)"
                report(keyNode, field: full, "\(full) is not a known field; fields \(place) are \(known).")
            }
        }
    }

    /// Reports `key` as missing from `map`.
    func reportMissing(_ map: FieldMap, _ key: String, example: String) {
        let full = map.path(key)
        let place = map.path.isEmpty ? "at the top of the file" : "under \(map.path)"
        report(map.node, field: full, "\(full) is missing; add `\(example)` \(place).")
    }

    /// The value of `key`, reporting it as missing when `example` is given and it is absent or empty.
    func required(_ map: FieldMap, _ key: String, example: String?) -> Node? {
        guard let node = map.value(key), !node.isNull else {
            if let example { reportMissing(map, key, example: example) }
            return nil
        }
        return node
    }

    // MARK: Scalars

    /// A scalar's text, or `nil` after reporting a list or mapping where text was expected.
    func text(_ node: Node, field: String, example: String) -> String? {
        guard case .scalar(let scalar) = node, !node.isNull else {
            report(
                node, field: field,
                "\(field) must be a single value such as `\(example)`, not \(node.shapeDescription).")
            return nil
        }
        return scalar.string
    }

    func string(_ map: FieldMap, _ key: String, example: String, required isRequired: Bool = false) -> String? {
        guard let node = required(map, key, example: isRequired ? "\(key): \(example)" : nil) else { return nil }
        guard let value = text(node, field: map.path(key), example: example) else { return nil }
        if Spelling.trimmed(value).isEmpty {
            report(node, field: map.path(key), "\(map.path(key)) is empty; write for example `\(key): \(example)`.")
            return nil
        }
        return value
    }

    func int(
        _ map: FieldMap, _ key: String, example: Int, range: ClosedRange<Int>? = nil, required isRequired: Bool = false
    ) -> Int? {
        guard let node = required(map, key, example: isRequired ? "\(key): \(example)" : nil) else { return nil }
        return int(node, field: map.path(key), example: example, range: range)
    }

    func int(_ node: Node, field: String, example: Int, range: ClosedRange<Int>? = nil) -> Int? {
        guard let raw = text(node, field: field, example: "\(example)") else { return nil }
        guard let value = Int(Spelling.trimmed(raw)) else {
            report(node, field: field, "\(field) must be a whole number such as \(example), not `\(raw)`.")
            return nil
        }
        return checkRange(
            Double(value), node: node, field: field, text: "\(value)",
            range: range.map {
                Double($0.lowerBound)...Double($0.upperBound)
            }) ? value : nil
    }

    func double(
        _ map: FieldMap, _ key: String, example: String, range: ClosedRange<Double>? = nil,
        required isRequired: Bool = false
    ) -> Double? {
        guard let node = required(map, key, example: isRequired ? "\(key): \(example)" : nil) else { return nil }
        return double(node, field: map.path(key), example: example, range: range)
    }

    func double(_ node: Node, field: String, example: String, range: ClosedRange<Double>? = nil) -> Double? {
        guard let raw = text(node, field: field, example: example) else { return nil }
        let trimmed = Spelling.trimmed(raw)
        guard let value = Double(trimmed), value.isFinite else {
            if trimmed.hasSuffix("%"), let percent = Double(Spelling.trimmed(trimmed.dropLast())) {
                report(
                    node, field: field,
                    "\(field) is a fraction, not a percentage; write \(format(percent / 100)) for \(trimmed).")
            } else {
                report(node, field: field, "\(field) must be a number such as \(example), not `\(raw)`.")
            }
            return nil
        }
        return checkRange(value, node: node, field: field, text: trimmed, range: range) ? value : nil
    }

    private func checkRange(_ value: Double, node: Node, field: String, text: String, range: ClosedRange<Double>?)
        -> Bool
    {
        guard let range, !range.contains(value) else { return true }
        if value < 0, range.lowerBound >= 0 {
            report(node, field: field, "\(field) (\(text)) is negative; write \(format(range.lowerBound)) or more.")
        } else if value < range.lowerBound {
            report(
                node, field: field,
                "\(field) (\(text)) is below \(format(range.lowerBound)); write \(format(range.lowerBound)) or more.")
        } else {
            report(
                node, field: field,
                "\(field) (\(text)) is above \(format(range.upperBound)); write \(format(range.upperBound)) or less.")
        }
        return false
    }

    func bool(_ map: FieldMap, _ key: String) -> Bool? {
        guard let node = required(map, key, example: nil) else { return nil }
        return bool(node, field: map.path(key))
    }

    func bool(_ node: Node, field: String) -> Bool? {
        guard let raw = text(node, field: field, example: "true") else { return nil }
        switch raw {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            report(node, field: field, "\(field) must be true or false, not `\(raw)`.")
            return nil
        }
    }

    func duration(_ map: FieldMap, _ key: String, example: String) -> Duration? {
        guard let node = required(map, key, example: nil) else { return nil }
        return duration(node, field: map.path(key), example: example)
    }

    func duration(_ node: Node, field: String, example: String) -> Duration? {
        guard let raw = text(node, field: field, example: example) else { return nil }
        switch DurationText.parse(raw) {
        case .success(let duration):
            return duration
        case .failure(.missingUnit(let number)):
            report(node, field: field, "\(field) (\(number)) has no unit; write \(number)ms or \(number)s.")
        case .failure(.negative):
            report(node, field: field, "\(field) (\(raw)) is negative; durations are 0 or more, such as \(example).")
        case .failure(.tooLong):
            report(
                node, field: field,
                "\(field) (\(raw)) is longer than 10 years; write a shorter duration such as \(example).")
        case .failure(.malformed):
            report(
                node, field: field,
                "\(field) (`\(raw)`) is not a duration; write a number with a unit (ms, s, m, h, d) such as \(example) or 1h30m."
            )
        }
        return nil
    }

    /// One of `allowed` raw values, suggesting the closest on a typo.
    func choice<Value: RawRepresentable & CaseIterable>(
        _ node: Node, field: String, as type: Value.Type
    ) -> Value? where Value.RawValue == String {
        let names = Value.allCases.map(\.rawValue)
        guard let raw = text(node, field: field, example: names.first ?? "") else { return nil }
        if let value = Value(rawValue: Spelling.trimmed(raw)) { return value }
        if let suggestion = Spelling.closest(to: raw, among: names) {
            report(
                node, field: field,
                "\(field) (`\(raw)`) is not one of \(names.joined(separator: ", ")); did you mean \(suggestion)?")
        } else {
            report(
                node, field: field,
                "\(field) (`\(raw)`) is not one of \(names.joined(separator: ", ")); write one of them.")
        }
        return nil
    }

    /// A number in its shortest form: `0.85`, `2`, `1e-06`.
    func format(_ value: Double) -> String {
        ValueFormat.number(value)
    }
}

/// Number formatting shared by messages and the writer.
enum ValueFormat {
    /// `2` for whole numbers, the shortest round-tripping text otherwise.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
