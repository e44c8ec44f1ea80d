extension YAMLNode {
    /// The node as a YAML block document: two-space indents, sequences indented under their key, keys in the
    /// order given, strings quoted only where YAML would read them as something else, and multi-line strings
    /// as literal blocks (`|`) so PromQL and embedded files stay readable. The text ends with a newline.
    public func emit() -> String {
        var out = ""
        switch self {
        case .mapping(let entries) where !entries.isEmpty:
            Self.writeMapping(entries, indent: 0, into: &out)
        case .sequence(let items) where !items.isEmpty:
            Self.writeSequence(items, indent: 0, into: &out)
        case .commented(let comment, let node):
            Self.writeComment(comment, indent: 0, into: &out)
            out += node.emit()
        default:
            if let inline = inlineText {
                out += inline + "\n"
            } else if case .string(let text) = self {
                out += Self.literalHeader(text) + "\n"
                Self.writeLiteralBody(text, indent: 2, into: &out)
            }
        }
        return out
    }

    /// The node on one line, or `nil` when it needs block form (a non-empty container or a literal block).
    private var inlineText: String? {
        switch self {
        case .string(let text):
            return YAMLScalar.canWriteLiteralBlock(text) ? nil : YAMLScalar.quotedIfNeeded(text)
        case .int(let value):
            return String(value)
        case .double(let value):
            return YAMLScalar.number(value)
        case .bool(let value):
            return value ? "true" : "false"
        case .mapping(let entries):
            return entries.isEmpty ? "{}" : nil
        case .sequence(let items):
            return items.isEmpty ? "[]" : nil
        case .commented:
            return nil
        }
    }

    private static func writeComment(_ comment: String, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for line in comment.split(separator: "\n", omittingEmptySubsequences: false) {
            out += line.isEmpty ? pad + "#\n" : pad + "# " + line + "\n"
        }
    }

    /// Splits nested `commented` wrappers off a node, outermost first.
    private static func peelComments(_ node: YAMLNode) -> (comments: [String], node: YAMLNode) {
        var comments: [String] = []
        var current = node
        while case .commented(let comment, let inner) = current {
            comments.append(comment)
            current = inner
        }
        return (comments, current)
    }

    private static func writeMapping(_ entries: [YAMLEntry], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for entry in entries {
            let (comments, value) = peelComments(entry.value)
            for comment in [entry.comment].compactMap({ $0 }) + comments {
                writeComment(comment, indent: indent, into: &out)
            }
            out += pad + YAMLScalar.quotedIfNeeded(entry.key) + ":"
            writeValue(value, indent: indent + 2, into: &out)
        }
    }

    /// Writes what follows `key:` or `- `: a space and the inline text, or a newline and the block at `indent`.
    private static func writeValue(_ value: YAMLNode, indent: Int, into out: inout String) {
        if let inline = value.inlineText {
            out += " " + inline + "\n"
            return
        }
        switch value {
        case .mapping(let entries):
            out += "\n"
            writeMapping(entries, indent: indent, into: &out)
        case .sequence(let items):
            out += "\n"
            writeSequence(items, indent: indent, into: &out)
        case .string(let text):
            out += " " + literalHeader(text) + "\n"
            writeLiteralBody(text, indent: indent, into: &out)
        default:
            break
        }
    }

    private static func writeSequence(_ items: [YAMLNode], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            let (comments, value) = peelComments(item)
            for comment in comments {
                writeComment(comment, indent: indent, into: &out)
            }
            switch value {
            case .mapping(let entries) where !entries.isEmpty:
                // The first key goes on the dash's line: write the block two deeper, then swap its
                // leading indent for the dash.
                var block = ""
                writeMapping(entries, indent: indent + 2, into: &block)
                out += pad + "- " + block.dropFirst(indent + 2)
            case .sequence(let inner) where !inner.isEmpty:
                var block = ""
                writeSequence(inner, indent: indent + 2, into: &block)
                out += pad + "- " + block.dropFirst(indent + 2)
            default:
                out += pad + "-"
                writeValue(value, indent: indent + 2, into: &out)
            }
        }
    }

    /// `|` keeps exactly one final newline, `|-` none, `|+` all of them.
    private static func literalHeader(_ text: String) -> String {
        if text.hasSuffix("\n\n") { return "|+" }
        return text.hasSuffix("\n") ? "|" : "|-"
    }

    private static func writeLiteralBody(_ text: String, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // A final newline yields one empty trailing piece that the header's chomping indicator already encodes.
        if text.hasSuffix("\n") { lines.removeLast() }
        for line in lines {
            out += line.isEmpty ? "\n" : pad + line + "\n"
        }
    }
}

/// Rules for writing scalars so every YAML 1.1 or 1.2 reader (Kubernetes uses a 1.1-flavoured one) reads
/// back exactly the value we meant.
enum YAMLScalar {
    /// Words YAML 1.1 reads as Booleans or null in any letter case (`on`, `yes`, `n`, `~` ...).
    private static let reservedWords: Set<String> = [
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", "=", "<<",
    ]

    /// Characters that start a YAML indicator when they open a plain scalar.
    private static let indicatorStarts: Set<Character> = [
        "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`",
    ]

    /// Whether `text` must be quoted to be read back as the same string.
    static func needsQuotes(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last else { return true }
        if reservedWords.contains(text.lowercased()) { return true }
        if first.isWhitespace || last.isWhitespace { return true }
        // Digits, signs and dots open numbers, versions ("1.0"), octals ("08"), dates, times and `.inf`.
        if first.isNumber || first == "+" || first == "." { return true }
        if first == "-" {
            let second = text.dropFirst().first
            if second == nil || second == " " || second == "." || second?.isNumber == true || text.hasPrefix("---") {
                return true
            }
        }
        if indicatorStarts.contains(first) { return true }
        if text.contains(": ") || text.contains(" #") || last == ":" { return true }
        return text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// `text` as is, or double-quoted with escapes when ``needsQuotes(_:)`` says so.
    static func quotedIfNeeded(_ text: String) -> String {
        needsQuotes(text) ? doubleQuoted(text) : text
    }

    /// `text` in double quotes with `\`, `"` and control characters escaped.
    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Whether a multi-line string can be a literal block: it has a line break, no carriage returns or other
    /// control characters (tabs are fine), and its first line does not start with a space (that would need an
    /// indentation indicator, which some readers get wrong).
    static func canWriteLiteralBlock(_ text: String) -> Bool {
        guard text.contains("\n"), text.first != " ", text.first != "\n" else { return false }
        return !text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F }
    }

    /// A double as YAML reads it back as a float: always with a `.` or exponent, `.inf`/`.nan` for the rest.
    static func number(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        let text = "\(value)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }
}
