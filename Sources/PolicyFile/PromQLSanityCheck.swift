/// A lexical check of PromQL text: balanced brackets and quotes, characters PromQL allows, no operator at
/// either end. It is deliberately not a parser; the PromQL module's parser replaces it (see ``QueryChecking``).
struct PromQLSanityCheck: QueryChecking {
    private static let operatorCharacters: Set<Character> = [
        "+", "-", "*", "/", "%", "^", "=", "!", "<", ">", "~", ",",
    ]
    private static let allowedPunctuation: Set<Character> = [
        "(", ")", "[", "]", "{", "}", ",", "+", "-", "*", "/", "%", "^", "=", "!", "<", ">", "~", "_", ":", ".", "@",
        " ", "\t", "\n", "\r", "\"", "'", "`",
    ]
    private static let keywords: Set<String> = [
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
        "inf", "nan", "atan2",
        // Aggregation operators, which may be followed by `by (…)` before their parenthesis.
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
        "quantile", "limitk", "limit_ratio",
    ]
    private static let labelListKeywords: Set<String> = [
        "by", "without", "on", "ignoring", "group_left", "group_right",
    ]

    func check(_ query: String) -> QueryProblem? {
        let characters = Array(query)
        guard characters.contains(where: { !$0.isWhitespace }) else {
            return QueryProblem(
                offset: 0, message: "the query is empty; write an expression such as max(ballast_queue_depth)")
        }
        var open: [(character: Character, offset: Int)] = []
        var quote: (character: Character, offset: Int)?
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if let current = quote {
                if character == "\\" && current.character != "`" {
                    index += 2
                    continue
                }
                if character == current.character { quote = nil }
                index += 1
                continue
            }
            switch character {
            case "\"", "'", "`":
                quote = (character, index)
            case "(", "[", "{":
                open.append((character, index))
            case ")", "]", "}":
                let expected: Character = character == ")" ? "(" : character == "]" ? "[" : "{"
                guard let last = open.popLast() else {
                    return QueryProblem(
                        offset: index, message: "'\(character)' at column \(index + 1) closes nothing; remove it")
                }
                guard last.character == expected else {
                    return QueryProblem(
                        offset: index,
                        message:
                            "'\(character)' at column \(index + 1) does not match '\(last.character)' at column \(last.offset + 1); close '\(last.character)' with '\(Self.closer(last.character))' first"
                    )
                }
            case "#":
                return QueryProblem(
                    offset: index,
                    message:
                        "'#' at column \(index + 1) starts a comment inside the query; quote the whole query in YAML or remove the comment"
                )
            default:
                let allowed =
                    (character.isASCII && (character.isLetter || character.isNumber))
                    || Self.allowedPunctuation.contains(character)
                if !allowed {
                    return QueryProblem(
                        offset: index,
                        message: "'\(character)' at column \(index + 1) is not allowed in PromQL; remove it")
                }
            }
            index += 1
        }
        if let quote {
            return QueryProblem(
                offset: quote.offset,
                message:
                    "the string opened with \(quote.character) at column \(quote.offset + 1) is never closed; add \(quote.character)"
            )
        }
        if let last = open.last {
            return QueryProblem(
                offset: last.offset,
                message:
                    "'\(last.character)' at column \(last.offset + 1) is never closed; add '\(Self.closer(last.character))'"
            )
        }
        if let lastIndex = characters.lastIndex(where: { !$0.isWhitespace }),
            Self.operatorCharacters.contains(characters[lastIndex])
        {
            return QueryProblem(
                offset: lastIndex,
                message:
                    "the query ends with '\(characters[lastIndex])' at column \(lastIndex + 1); add the missing operand"
            )
        }
        if let firstIndex = characters.firstIndex(where: { !$0.isWhitespace }),
            ["*", "/", "%", "^", "=", "!", "<", ">", "~", ","].contains(characters[firstIndex])
        {
            return QueryProblem(
                offset: firstIndex,
                message:
                    "the query starts with '\(characters[firstIndex])' at column \(firstIndex + 1); add the missing operand"
            )
        }
        return nil
    }

    func metricNames(in query: String) -> [String] {
        let characters = Array(query)
        var names: [String] = []
        var index = 0
        var depthBraces = 0
        var depthBrackets = 0
        var labelListDepth: Int?
        var parenDepth = 0
        var pendingLabelList = false
        func add(_ name: String) {
            if !names.contains(name) { names.append(name) }
        }
        while index < characters.count {
            let character = characters[index]
            if character == "\"" || character == "'" || character == "`" {
                // Inside a selector, `__name__="x"` and `__name__=~"a|b"` name metrics too.
                let end = characters[(index + 1)...].firstIndex(of: character) ?? characters.count
                if depthBraces > 0 {
                    let before = String(characters[..<index]).replacingAll(" ", with: "")
                    if before.hasSuffix("__name__=") || before.hasSuffix("__name__=~") {
                        let value = String(characters[min(index + 1, end)..<end])
                        for part in value.split(separator: "|") where Self.isPlainName(part) { add(String(part)) }
                    }
                }
                index = end + 1
                continue
            }
            switch character {
            case "{": depthBraces += 1
            case "}": depthBraces = max(0, depthBraces - 1)
            case "[": depthBrackets += 1
            case "]": depthBrackets = max(0, depthBrackets - 1)
            case "(":
                parenDepth += 1
                if pendingLabelList {
                    labelListDepth = parenDepth
                    pendingLabelList = false
                }
            case ")":
                if labelListDepth == parenDepth { labelListDepth = nil }
                parenDepth = max(0, parenDepth - 1)
            default: break
            }
            let startsName = character == "_" || character == ":" || (character.isASCII && character.isLetter)
            guard startsName, depthBraces == 0, depthBrackets == 0 else {
                if !character.isWhitespace && character != "(" { pendingLabelList = false }
                index += 1
                continue
            }
            // A name right after a digit is a number's exponent or a duration unit, not a metric.
            if index > 0, characters[index - 1].isNumber || characters[index - 1] == "." {
                index += 1
                continue
            }
            var end = index
            while end < characters.count,
                characters[end] == "_" || characters[end] == ":"
                    || (characters[end].isASCII && (characters[end].isLetter || characters[end].isNumber))
            {
                end += 1
            }
            let word = String(characters[index..<end])
            var next = end
            while next < characters.count, characters[next].isWhitespace { next += 1 }
            let isCall = next < characters.count && characters[next] == "("
            if Self.labelListKeywords.contains(word.lowercased()) {
                pendingLabelList = true
            } else if labelListDepth == nil, !isCall, !Self.keywords.contains(word.lowercased()) {
                add(word)
            }
            index = end
        }
        return names
    }

    private static func closer(_ opener: Character) -> Character {
        opener == "(" ? ")" : opener == "[" ? "]" : "}"
    }

    private static func isPlainName(_ text: Substring) -> Bool {
        guard let first = text.first, first == "_" || first == ":" || (first.isASCII && first.isLetter) else {
            return false
        }
        return text.allSatisfy { $0 == "_" || $0 == ":" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}

extension String {
    /// The string with every `target` replaced by `replacement` (no Foundation needed).
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
