import BallastCore

/// Durations as policy files write them: `500ms`, `30s`, `5m`, `48h`, `2d`, combinations such as `1h30m`,
/// and fractions such as `1.5s`. A bare `0` is accepted; any other bare number is ambiguous and rejected.
public enum DurationText {
    /// Why a duration could not be read.
    public enum Problem: Error, Equatable, Sendable {
        /// A number without a unit, such as `500`.
        case missingUnit(String)
        /// A negative duration.
        case negative
        /// Longer than ``longest``.
        case tooLong
        /// Anything else that is not a duration.
        case malformed
    }

    /// The longest duration accepted: ten years, far beyond any window or rollout, and far below the
    /// range where `Duration` arithmetic overflows.
    static let longest: Duration = .seconds(10 * 365 * 86_400)

    /// Milliseconds per unit, longest unit names first so `ms` wins over `m`.
    private static let units: [(name: String, milliseconds: Double)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// Parses `text` into a duration.
    public static func parse(_ text: String) -> Result<Duration, Problem> {
        let trimmed = Spelling.trimmed(text)
        if trimmed.hasPrefix("-") { return .failure(.negative) }
        if trimmed == "0" { return .success(.zero) }
        if Double(trimmed) != nil { return .failure(.missingUnit(trimmed)) }
        var rest = Substring(trimmed)
        var totalMilliseconds = 0.0
        var sawPart = false
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, let value = Double(digits) else { return .failure(.malformed) }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { $0.isASCII && $0.isLetter }
            guard let unit = units.first(where: { $0.name == unitText }) else { return .failure(.malformed) }
            rest = rest.dropFirst(unitText.count)
            totalMilliseconds += value * unit.milliseconds
            sawPart = true
        }
        guard sawPart, totalMilliseconds.isFinite else { return .failure(.malformed) }
        guard totalMilliseconds <= Double(DurationText.milliseconds(longest)) else { return .failure(.tooLong) }
        return .success(.milliseconds(totalMilliseconds))
    }

    /// Whole milliseconds in `duration`, rounded down.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }

    /// Seconds in `duration` as a floating-point number.
    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// The shortest text that `parse` reads back as `duration`: `500ms`, `30s`, `1h30m`, `0s`.
    static func format(_ duration: Duration) -> String {
        let total = milliseconds(duration)
        if total == 0 { return "0s" }
        if total % 1000 != 0 { return "\(total)ms" }
        var seconds = total / 1000
        var text = ""
        for (name, size) in [("h", Int64(3600)), ("m", 60), ("s", 1)] where seconds >= size {
            text += "\(seconds / size)\(name)"
            seconds %= size
        }
        return text
    }

    /// The duration in PromQL range syntax (`1m`, `30s`, `1h30m`); PromQL accepts the same units.
    static func promQL(_ duration: Duration) -> String {
        format(duration)
    }
}
