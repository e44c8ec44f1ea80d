/// Splits PromQL text into tokens; columns count Unicode scalars from 1.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// All tokens of the text, ending with `.end`.
    static func tokens(of text: String) throws(PromQLError) -> [Token] {
        var lexer = Lexer(text)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func next() throws(PromQLError) -> Token {
        while let scalar = peek(), scalar.properties.isWhitespace { index += 1 }
        // `#` starts a comment that runs to the end of the line, as in Prometheus.
        if peek() == "#" {
            while let scalar = peek(), scalar != "\n" { index += 1 }
            return try next()
        }
        let column = index + 1
        guard let scalar = peek() else { return Token(kind: .end, column: column) }
        func token(_ kind: Token.Kind, length: Int) -> Token {
            index += length
            return Token(kind: kind, column: column)
        }
        switch scalar {
        case "(": return token(.leftParen, length: 1)
        case ")": return token(.rightParen, length: 1)
        case "{": return token(.leftBrace, length: 1)
        case "}": return token(.rightBrace, length: 1)
        case "[": return token(.leftBracket, length: 1)
        case "]": return token(.rightBracket, length: 1)
        case ",": return token(.comma, length: 1)
        case "@": return token(.at, length: 1)
        case "+", "-", "*", "/", "%", "^": return token(.symbol(String(scalar)), length: 1)
        case "=":
            if peek(1) == "=" { return token(.symbol("=="), length: 2) }
            if peek(1) == "~" { return token(.regexMatch, length: 2) }
            return token(.assign, length: 1)
        case "!":
            if peek(1) == "=" { return token(.symbol("!="), length: 2) }
            if peek(1) == "~" { return token(.regexNoMatch, length: 2) }
            throw PromQLError("unexpected character \"!\"; write != or !~", column: column)
        case "<", ">":
            if peek(1) == "=" { return token(.symbol(String(scalar) + "="), length: 2) }
            return token(.symbol(String(scalar)), length: 1)
        case "\"", "'", "`":
            return Token(kind: .string(try lexString(quote: scalar)), column: column)
        case ":":
            // A colon outside brackets starts a recording-rule style name such as `:job:rate5m`.
            if let following = peek(1), Self.isIdentifierStart(following) || following == ":" {
                return Token(kind: .identifier(lexIdentifier(allowColon: true)), column: column)
            }
            return token(.colon, length: 1)
        default:
            if Self.isDigit(scalar) || (scalar == "." && peek(1).map(Self.isDigit) == true) {
                return Token(kind: try lexNumberOrDuration(column: column), column: column)
            }
            if Self.isIdentifierStart(scalar) {
                return Token(kind: .identifier(lexIdentifier(allowColon: true)), column: column)
            }
            throw PromQLError("unexpected character \"\(scalar)\"", column: column)
        }
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_"
    }

    private mutating func lexIdentifier(allowColon: Bool) -> String {
        var text = String.UnicodeScalarView()
        while let scalar = peek(),
            Self.isIdentifierStart(scalar) || Self.isDigit(scalar) || (allowColon && scalar == ":")
        {
            text.append(scalar)
            index += 1
        }
        return String(text)
    }

    private mutating func lexString(quote: Unicode.Scalar) throws(PromQLError) -> String {
        let column = index + 1
        index += 1
        var text = String.UnicodeScalarView()
        while let scalar = peek() {
            index += 1
            if scalar == quote { return String(text) }
            if scalar == "\\" && quote != "`" {
                guard let escaped = peek() else { break }
                index += 1
                switch escaped {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "a": text.append("\u{07}")
                case "b": text.append("\u{08}")
                case "f": text.append("\u{0C}")
                case "v": text.append("\u{0B}")
                case "\\", "\"", "'": text.append(escaped)
                case "x", "u", "U":
                    let length = escaped == "x" ? 2 : (escaped == "u" ? 4 : 8)
                    let digits = String(String.UnicodeScalarView(scalars[index..<min(index + length, scalars.count)]))
                    guard digits.count == length, let code = UInt32(digits, radix: 16),
                        let decoded = Unicode.Scalar(code)
                    else {
                        throw PromQLError(
                            "invalid escape \"\\\(escaped)\(digits)\" in string; write \\\(escaped) followed by \(length) hex digits",
                            column: index)
                    }
                    text.append(decoded)
                    index += length
                default:
                    throw PromQLError(
                        "unknown escape sequence \"\\\(escaped)\" in string; write \\\\ for a backslash", column: index)
                }
                continue
            }
            if scalar == "\n" && quote != "`" { break }
            text.append(scalar)
        }
        throw PromQLError("unterminated string; close it with \(quote)", column: column)
    }

    private mutating func lexNumberOrDuration(column: Int) throws(PromQLError) -> Token.Kind {
        let start = index
        // Hexadecimal integers such as 0x1F.
        if peek() == "0", let x = peek(1), x == "x" || x == "X" {
            index += 2
            var digits = ""
            while let scalar = peek(), scalar.properties.isASCIIHexDigit {
                digits.unicodeScalars.append(scalar)
                index += 1
            }
            guard let value = UInt64(digits, radix: 16) else {
                throw PromQLError("invalid hexadecimal number; write digits 0-9 and a-f after 0x", column: column)
            }
            try rejectTrailingLetters(column: column)
            return .number(Double(value))
        }
        while let scalar = peek(), Self.isDigit(scalar) { index += 1 }
        // Digits directly followed by a unit letter make a duration such as 1h30m or 500ms.
        if let unit = peek(), "ywdhms".unicodeScalars.contains(unit), peek() != "." {
            index = start
            return .duration(try lexDuration(column: column))
        }
        if peek() == "." {
            index += 1
            while let scalar = peek(), Self.isDigit(scalar) { index += 1 }
        }
        if let e = peek(), e == "e" || e == "E" {
            var lookahead = 1
            if let sign = peek(1), sign == "+" || sign == "-" { lookahead = 2 }
            if let digit = peek(lookahead), Self.isDigit(digit) {
                index += lookahead
                while let scalar = peek(), Self.isDigit(scalar) { index += 1 }
            }
        }
        let text = String(String.UnicodeScalarView(scalars[start..<index]))
        guard let value = Double(text) else {
            throw PromQLError("invalid number \"\(text)\"", column: column)
        }
        try rejectTrailingLetters(column: column)
        return .number(value)
    }

    private func rejectTrailingLetters(column: Int) throws(PromQLError) {
        if let scalar = peek(), Self.isIdentifierStart(scalar) {
            throw PromQLError(
                "bad number or duration syntax near \"\(scalar)\"; durations use the units ms, s, m, h, d, w, y as in 1h30m",
                column: column)
        }
    }

    /// Reads a Prometheus duration: integer and unit pairs in decreasing unit order, each unit at most once.
    private mutating func lexDuration(column: Int) throws(PromQLError) -> Int64 {
        let units: [(String, Int64)] = [
            ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
            ("m", 60_000), ("s", 1000), ("ms", 1),
        ]
        var total: Int64 = 0
        var nextUnit = 0
        while let first = peek(), Self.isDigit(first) {
            var digits = ""
            while let scalar = peek(), Self.isDigit(scalar) {
                digits.unicodeScalars.append(scalar)
                index += 1
            }
            var unit = ""
            if let scalar = peek(), "ywdhms".unicodeScalars.contains(scalar) {
                unit.unicodeScalars.append(scalar)
                index += 1
                if scalar == "m", peek() == "s" {
                    unit = "ms"
                    index += 1
                }
            }
            guard let position = units.firstIndex(where: { $0.0 == unit }), let amount = Int64(digits) else {
                throw PromQLError(
                    "invalid duration: \"\(digits)\" needs a unit (ms, s, m, h, d, w, y) as in 5m", column: column)
            }
            guard position >= nextUnit else {
                throw PromQLError(
                    "invalid duration: units must go from largest to smallest, each once, as in 1h30m", column: column)
            }
            nextUnit = position + 1
            let (product, overflow) = amount.multipliedReportingOverflow(by: units[position].1)
            guard !overflow, total <= Int64.max - product else {
                throw PromQLError("duration is too long", column: column)
            }
            total += product
        }
        if let scalar = peek(), Self.isIdentifierStart(scalar) || scalar == "." {
            throw PromQLError(
                "bad number or duration syntax near \"\(scalar)\"; durations are whole numbers with units as in 1h30m",
                column: column)
        }
        return total
    }
}
