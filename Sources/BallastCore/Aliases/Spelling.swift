/// Small string helpers shared by the alias table and the policy file reader: edit distance for
/// "did you mean" suggestions, and trimming without Foundation.
package enum Spelling {
    /// Levenshtein distance between `a` and `b`, counted in characters.
    package static func distance(_ a: String, _ b: String) -> Int {
        let left = Array(a)
        let right = Array(b)
        if left.isEmpty { return right.count }
        if right.isEmpty { return left.count }
        var previous = Array(0...right.count)
        var current = [Int](repeating: 0, count: right.count + 1)
        for i in 1...left.count {
            current[0] = i
            for j in 1...right.count {
                let substitution = previous[j - 1] + (left[i - 1] == right[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[right.count]
    }

    /// The candidate closest to `word`, if it is close enough to be a likely typo: at most a third of the
    /// longer word's characters differ (at least 1, at most 3), or `word` (4 characters or more) starts the
    /// candidate. Case is ignored; ties go to the earlier candidate.
    package static func closest(to word: String, among candidates: some Sequence<String>) -> String? {
        let lowered = word.lowercased()
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = Self.distance(lowered, candidate.lowercased())
            let allowed = min(3, max(1, max(word.count, candidate.count) / 3))
            guard distance <= allowed else { continue }
            if best == nil || distance < best?.distance ?? .max { best = (candidate, distance) }
        }
        if let best { return best.name }
        // A name typed without its unit suffix (`kv_cache_usage` for `kv_cache_usage_ratio`) is a likely slip too.
        guard word.count >= 4 else { return nil }
        return candidates.first { $0.lowercased().hasPrefix(lowered) }
    }

    /// `text` without leading and trailing spaces, tabs and line breaks.
    package static func trimmed(_ text: some StringProtocol) -> String {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
