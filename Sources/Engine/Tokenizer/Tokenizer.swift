/// A GPT-2 style byte-level BPE tokenizer built from a GGUF vocabulary.
///
/// Encoding: special tokens (control and user-defined entries) are cut out of the text first, longest first;
/// the rest is split by the ``PreTokenizer``, each piece's UTF-8 bytes are written in the ``ByteLevelAlphabet``,
/// and adjacent symbols are merged by merge rank (lowest first, leftmost on ties) until no ranked pair remains.
/// Decoding maps token texts back to bytes and joins them, so a character split over several tokens decodes
/// whole.
public struct Tokenizer: Sendable {
    /// Token texts by id, in the byte-level alphabet (special tokens as written).
    public let tokens: [String]
    /// Kind of each token.
    public let tokenTypes: [TokenType]
    /// How text is split before merging.
    public let preTokenizer: PreTokenizer
    /// Beginning-of-sequence token id, when the vocabulary names one.
    public let bosToken: Int?
    /// End-of-sequence token id, when the vocabulary names one.
    public let eosToken: Int?
    /// Whether ``encode(_:parseSpecial:)`` starts with ``bosToken`` (GGUF `tokenizer.ggml.add_bos_token`;
    /// default `false`, as GPT-2 style vocabularies do not use one).
    public let addsBOS: Bool

    private let ids: [String: Int]
    private let ranks: [String: Int]
    private let specialTokens: [(text: String, id: Int)]
    private let splitter: PreTokenizerSplitter

    /// Builds a tokenizer from its parts.
    ///
    /// - Parameters:
    ///   - tokens: token texts by id.
    ///   - merges: merge rules by rank, each two symbols separated by one space (`"Ġ t"`).
    ///   - tokenTypes: the kind of each token; `nil` treats every token as normal.
    /// - Throws: ``TokenizerError`` when a merge is not two symbols, the type list has another length, or a token
    ///   id is out of range.
    public init(
        tokens: [String], merges: [String], tokenTypes: [TokenType]? = nil, preTokenizer: PreTokenizer,
        bosToken: Int? = nil, eosToken: Int? = nil, addsBOS: Bool = false
    ) throws(TokenizerError) {
        guard !tokens.isEmpty else {
            throw TokenizerError(description: "The vocabulary is empty; `tokenizer.ggml.tokens` must list the tokens.")
        }
        let types = tokenTypes ?? [TokenType](repeating: .normal, count: tokens.count)
        guard types.count == tokens.count else {
            throw TokenizerError(
                description: "`tokenizer.ggml.token_type` has \(types.count) entries but there are \(tokens.count) "
                    + "tokens; give one type per token.")
        }
        for (name, id) in [("bos", bosToken), ("eos", eosToken)] {
            if let id, !tokens.indices.contains(id) {
                throw TokenizerError(
                    description:
                        "`tokenizer.ggml.\(name)_token_id` is \(id), outside the \(tokens.count)-token vocabulary.")
            }
        }
        var ranks: [String: Int] = [:]
        ranks.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() {
            let parts = merge.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw TokenizerError(
                    description:
                        "`tokenizer.ggml.merges`[\(rank)] is \"\(merge)\"; each merge is two symbols separated by one space."
                )
            }
            // First rank wins when a merge repeats, as in the reference implementations.
            if ranks[merge] == nil { ranks[merge] = rank }
        }
        var ids: [String: Int] = [:]
        ids.reserveCapacity(tokens.count)
        for (id, text) in tokens.enumerated() where ids[text] == nil { ids[text] = id }

        self.tokens = tokens
        self.tokenTypes = types
        self.preTokenizer = preTokenizer
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.addsBOS = addsBOS
        self.ids = ids
        self.ranks = ranks
        self.specialTokens = tokens.enumerated()
            .filter { types[$0.offset] == .control || types[$0.offset] == .userDefined }
            .filter { !$0.element.isEmpty }
            .map { (text: $0.element, id: $0.offset) }
            .sorted { $0.text.utf8.count > $1.text.utf8.count }
        do {
            self.splitter = try PreTokenizerSplitter(preTokenizer)
        } catch {
            throw TokenizerError(
                description: "The \(preTokenizer.rawValue) pre-tokenizer's expressions do not compile: \(error).")
        }
    }

    /// Builds the tokenizer a GGUF file describes (`tokenizer.ggml.*` keys).
    ///
    /// - Throws: ``TokenizerError`` naming the key when the model is not GPT-2 style BPE, the pre-tokenizer is
    ///   unknown, or a key is missing or has the wrong type.
    public init(gguf header: GGUFHeader) throws(TokenizerError) {
        let model = header["tokenizer.ggml.model"]?.string
        guard model == "gpt2" else {
            throw TokenizerError(
                description: "`tokenizer.ggml.model` is \(model.map { "\"\($0)\"" } ?? "missing"); only \"gpt2\" "
                    + "(byte-level BPE) vocabularies are supported.")
        }
        let preName = header["tokenizer.ggml.pre"]?.string ?? "gpt2"
        let canonicalName = preName == "default" ? "gpt2" : preName
        guard let pre = PreTokenizer(rawValue: canonicalName) else {
            throw TokenizerError(
                description: "`tokenizer.ggml.pre` is \"\(preName)\"; supported pre-tokenizers are "
                    + PreTokenizer.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + ".")
        }
        guard case .array(let tokenArray)? = header["tokenizer.ggml.tokens"], let tokens = tokenArray.strings else {
            throw TokenizerError(description: "`tokenizer.ggml.tokens` is missing or not an array of strings.")
        }
        guard case .array(let mergeArray)? = header["tokenizer.ggml.merges"], let merges = mergeArray.strings else {
            throw TokenizerError(description: "`tokenizer.ggml.merges` is missing or not an array of strings.")
        }
        var types: [TokenType]?
        if case .array(let typeArray)? = header["tokenizer.ggml.token_type"] {
            guard let raw = typeArray.integers else {
                throw TokenizerError(description: "`tokenizer.ggml.token_type` is not an array of integers.")
            }
            types = try raw.enumerated().map { (index, value) throws(TokenizerError) in
                guard let type = Int32(exactly: value).flatMap(TokenType.init(rawValue:)) else {
                    throw TokenizerError(
                        description: "`tokenizer.ggml.token_type`[\(index)] is \(value); token types are 1 to 6.")
                }
                return type
            }
        }
        var addsBOS = false
        if case .bool(let flag)? = header["tokenizer.ggml.add_bos_token"] { addsBOS = flag }
        try self.init(
            tokens: tokens, merges: merges, tokenTypes: types, preTokenizer: pre,
            bosToken: header["tokenizer.ggml.bos_token_id"]?.integer,
            eosToken: header["tokenizer.ggml.eos_token_id"]?.integer, addsBOS: addsBOS)
    }

    /// Number of tokens in the vocabulary.
    public var vocabularySize: Int { tokens.count }

    /// The id of the token whose text is exactly `text`, if any.
    public func id(of text: String) -> Int? { ids[text] }

    /// Token ids for `text`.
    ///
    /// - Parameter parseSpecial: when `true` (default), control and user-defined token texts such as
    ///   `<|im_start|>` in `text` become their single tokens; when `false` they are tokenized as plain text, which
    ///   is what untrusted user input should get.
    public func encode(_ text: String, parseSpecial: Bool = true) -> [Int] {
        var out: [Int] = []
        if addsBOS, let bosToken { out.append(bosToken) }
        for fragment in fragments(of: text, parseSpecial: parseSpecial) {
            switch fragment {
            case .special(let id): out.append(id)
            case .text(let slice):
                for piece in splitter.split(slice) { encodePiece(piece, into: &out) }
            }
        }
        return out
    }

    /// The bytes `tokens` stand for. Control tokens are left out unless `renderSpecial`; ids outside the
    /// vocabulary are skipped.
    public func decodeBytes(_ tokens: [Int], renderSpecial: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for id in tokens where self.tokens.indices.contains(id) {
            switch tokenTypes[id] {
            case .control:
                if renderSpecial { out += self.tokens[id].utf8 }
            case .userDefined, .unknown:
                out += self.tokens[id].utf8
            case .unused:
                continue
            case .normal, .byte:
                out += ByteLevelAlphabet.decode(self.tokens[id]) ?? Array(self.tokens[id].utf8)
            }
        }
        return out
    }

    /// The text `tokens` stand for; invalid UTF-8 (a character cut off at the end) becomes U+FFFD.
    public func decode(_ tokens: [Int], renderSpecial: Bool = false) -> String {
        String(decoding: decodeBytes(tokens, renderSpecial: renderSpecial), as: UTF8.self)
    }

    private enum Fragment {
        case text(Substring)
        case special(Int)
    }

    /// Cuts special token texts out of `text`, longest first, leaving the plain text between them.
    private func fragments(of text: String, parseSpecial: Bool) -> [Fragment] {
        var fragments: [Fragment] = [.text(text[...])]
        guard parseSpecial else { return fragments }
        for special in specialTokens {
            var next: [Fragment] = []
            for fragment in fragments {
                guard case .text(var rest) = fragment else {
                    next.append(fragment)
                    continue
                }
                while let range = rest.unicodeScalars.firstRange(of: special.text.unicodeScalars) {
                    if range.lowerBound > rest.startIndex {
                        next.append(.text(rest[rest.startIndex..<range.lowerBound]))
                    }
                    next.append(.special(special.id))
                    rest = rest[range.upperBound...]
                }
                if !rest.isEmpty { next.append(.text(rest)) }
            }
            fragments = next
        }
        return fragments
    }

    /// Byte-pair merges one pre-tokenized piece and appends its token ids.
    private func encodePiece(_ piece: Substring, into out: inout [Int]) {
        var symbols = piece.utf8.map { String(ByteLevelAlphabet.scalarForByte[Int($0)]) }
        while symbols.count > 1 {
            var best: (rank: Int, index: Int)?
            for i in 0..<(symbols.count - 1) {
                if let rank = ranks[symbols[i] + " " + symbols[i + 1]], rank < (best?.rank ?? Int.max) {
                    best = (rank, i)
                }
            }
            guard let best else { break }
            symbols[best.index] += symbols[best.index + 1]
            symbols.remove(at: best.index + 1)
        }
        for symbol in symbols {
            if let id = ids[symbol] {
                out.append(id)
            } else {
                // A merged symbol missing from the vocabulary: fall back to its single bytes.
                for scalar in symbol.unicodeScalars {
                    if let id = ids[String(scalar)] { out.append(id) }
                }
            }
        }
    }
}
