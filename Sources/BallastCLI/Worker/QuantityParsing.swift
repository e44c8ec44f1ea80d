import Foundation

/// Parses sizes such as `2GiB`, `512MiB`, `1.5G` or `1048576` into bytes (binary and decimal suffixes, case-
/// insensitive); `nil` for anything else.
func parseByteCount(_ text: String) -> Int? {
    let lower = text.trimmingCharacters(in: .whitespaces).lowercased()
    let units: [(String, Double)] = [
        ("kib", 1024), ("mib", 1_048_576), ("gib", 1_073_741_824), ("tib", 1_099_511_627_776), ("kb", 1e3), ("mb", 1e6), ("gb", 1e9),
        ("tb", 1e12), ("k", 1024), ("m", 1_048_576), ("g", 1_073_741_824), ("t", 1_099_511_627_776), ("b", 1),
    ]
    for (suffix, factor) in units where lower.hasSuffix(suffix) {
        guard let number = Double(lower.dropLast(suffix.count)), number.isFinite, number >= 0 else { return nil }
        return Int(exactly: (number * factor).rounded())
    }
    return Int(lower).flatMap { $0 >= 0 ? $0 : nil }
}

/// Parses durations such as `100ms`, `2s`, `1.5s`, `1m` or `250us`; `nil` for anything else.
func parseDuration(_ text: String) -> Duration? {
    let lower = text.trimmingCharacters(in: .whitespaces).lowercased()
    let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("s", 1), ("m", 60), ("h", 3600)]
    for (suffix, factor) in units where lower.hasSuffix(suffix) {
        guard let number = Double(lower.dropLast(suffix.count)), number.isFinite, number >= 0 else { return nil }
        return .nanoseconds(Int64((number * factor * 1e9).rounded()))
    }
    return nil
}
