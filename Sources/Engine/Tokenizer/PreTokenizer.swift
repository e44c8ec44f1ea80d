/// How text is split into words before byte-pair merging, named as GGUF's `tokenizer.ggml.pre`.
///
/// Each pre-tokenizer is a list of regular expressions applied in turn, as llama.cpp does: every expression
/// splits each piece left by the previous one into its matches and the unmatched text between them. Matching
/// works on Unicode scalars, as the reference implementations do, not on grapheme clusters.
public enum PreTokenizer: String, Sendable, CaseIterable {
    /// GPT-2's original expression.
    case gpt2
    /// SmolLM (and StarCoder): every digit is its own piece, then GPT-2's expression.
    case smollm
    /// Llama 3: case-insensitive contractions, up to three digits per piece, newlines kept apart.
    case llamaBPE = "llama-bpe"
    /// Qwen2: as Llama 3 but one digit per piece.
    case qwen2

    /// The expressions, in llama.cpp's order (`llama-vocab.cpp`), written in Swift regex syntax.
    public var patterns: [String] {
        let gpt2 = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)"#
        let contractions = #"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"#
        let letters = #"[^\r\n\p{L}\p{N}]?\p{L}+"#
        let rest = #" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        switch self {
        case .gpt2: return [gpt2]
        case .smollm: return [#"\p{N}"#, gpt2]
        case .llamaBPE: return [contractions + "|" + letters + #"|\p{N}{1,3}|"# + rest]
        case .qwen2: return [contractions + "|" + letters + #"|\p{N}|"# + rest]
        }
    }
}

/// The compiled expressions of one ``PreTokenizer``.
struct PreTokenizerSplitter: @unchecked Sendable {
    // Sendable: the regexes are immutable after init and matching does not mutate them.
    private let regexes: [Regex<Substring>]

    init(_ preTokenizer: PreTokenizer) throws {
        regexes = try preTokenizer.patterns.map { pattern in
            try Regex(pattern, as: Substring.self).matchingSemantics(.unicodeScalar)
        }
    }

    /// Splits `text` into pieces whose concatenation is `text`.
    func split(_ text: Substring) -> [Substring] {
        var pieces = [text]
        for regex in regexes {
            var next: [Substring] = []
            for piece in pieces {
                var start = piece.startIndex
                for match in piece.matches(of: regex) where !match.range.isEmpty {
                    if start < match.range.lowerBound { next.append(piece[start..<match.range.lowerBound]) }
                    next.append(piece[match.range])
                    start = match.range.upperBound
                }
                if start < piece.endIndex { next.append(piece[start..<piece.endIndex]) }
            }
            pieces = next
        }
        return pieces
    }
}
