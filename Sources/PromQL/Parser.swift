/// Recursive-descent parser for the PromQL subset, with Prometheus precedence (`^` right-associative)
/// and type checking, so an expression that parses also evaluates.
struct Parser {
    private let tokens: [Token]
    private var position = 0
    /// Nesting depth, bounded so hostile input cannot exhaust the stack.
    private var depth = 0
    static let maximumDepth = 256

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    static func parse(_ text: String) throws(PromQLError) -> Node {
        var parser = Parser(tokens: try Lexer.tokens(of: text))
        if parser.current.kind == .end {
            throw PromQLError("the expression is empty; write a query such as sum(rate(x[5m]))", column: 1)
        }
        let node = try parser.parseExpression(minimumPrecedence: 0)
        guard parser.current.kind == .end else {
            throw PromQLError(
                "unexpected \(parser.describe(parser.current)) after a complete expression",
                column: parser.current.column)
        }
        return node
    }

    private var current: Token { tokens[min(position, tokens.count - 1)] }

    private func lookahead(_ offset: Int) -> Token { tokens[min(position + offset, tokens.count - 1)] }

    private mutating func advance() { position += 1 }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .number(let value): "number \(formatNumber(value))"
        case .duration(let value): "duration \(formatDuration(value))"
        case .string(let value): "string \(quoted(value))"
        case .identifier(let name): "\"\(name)\""
        case .leftParen: "\"(\""
        case .rightParen: "\")\""
        case .leftBrace: "\"{\""
        case .rightBrace: "\"}\""
        case .leftBracket: "\"[\""
        case .rightBracket: "\"]\""
        case .comma: "\",\""
        case .colon: "\":\""
        case .at: "\"@\""
        case .assign: "\"=\""
        case .regexMatch: "\"=~\""
        case .regexNoMatch: "\"!~\""
        case .symbol(let symbol): "\"\(symbol)\""
        case .end: "end of input"
        }
    }

    private mutating func expect(_ kind: Token.Kind, _ what: String) throws(PromQLError) {
        guard current.kind == kind else {
            throw PromQLError("expected \(what) but found \(describe(current))", column: current.column)
        }
        advance()
    }

    // MARK: Binary expressions

    private func binaryOperator(_ token: Token) -> BinaryOperator? {
        switch token.kind {
        case .symbol(let symbol): BinaryOperator(rawValue: symbol)
        case .identifier(let word):
            ["and", "or", "unless"].contains(word.lowercased()) ? BinaryOperator(rawValue: word.lowercased()) : nil
        default: nil
        }
    }

    private mutating func parseExpression(minimumPrecedence: Int) throws(PromQLError) -> Node {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw PromQLError(
                "the expression nests deeper than \(Self.maximumDepth) levels; split it into simpler signals",
                column: current.column)
        }
        var left = try parseUnary()
        while let op = binaryOperator(current), op.precedence >= minimumPrecedence {
            let column = current.column
            advance()
            let returnsBool = parseKeyword("bool")
            if returnsBool && !op.isComparison {
                throw PromQLError(
                    "bool modifier can only be used on comparison operators, not \"\(op.rawValue)\"", column: column)
            }
            var matching = try parseMatching(for: op)
            let right = try parseExpression(minimumPrecedence: op == .power ? op.precedence : op.precedence + 1)
            try checkOperand(left, of: op, column: column)
            try checkOperand(right, of: op, column: column)
            let bothScalar = left.type == .scalar && right.type == .scalar
            if op.isSetOperator && (left.type == .scalar || right.type == .scalar) {
                throw PromQLError(
                    "set operator \"\(op.rawValue)\" not allowed in binary scalar expression; both sides must be instant vectors",
                    column: column)
            }
            if op.isComparison && bothScalar && !returnsBool {
                throw PromQLError(
                    "comparisons between scalars must use the bool modifier, as in 1 > bool 0", column: column)
            }
            if left.type == .scalar || right.type == .scalar {
                if let matching, matching.on || !matching.labels.isEmpty || matching.cardinality != .oneToOne {
                    throw PromQLError(
                        "vector matching (on, ignoring, group_left, group_right) needs vectors on both sides of \"\(op.rawValue)\"",
                        column: column)
                }
                matching = nil
            } else if matching == nil {
                matching = VectorMatching(
                    cardinality: op.isSetOperator ? .manyToMany : .oneToOne, on: false, labels: [], include: [])
            }
            left = .binary(
                BinaryExpression(operator: op, left: left, right: right, returnsBool: returnsBool, matching: matching))
        }
        return left
    }

    private func checkOperand(_ node: Node, of op: BinaryOperator, column: Int) throws(PromQLError) {
        guard node.type == .scalar || node.type == .vector else {
            throw PromQLError(
                "binary expression \"\(op.rawValue)\" must contain only scalar and instant vector types, not a \(node.type.rawValue); wrap a range vector in a function such as rate()",
                column: column)
        }
    }

    private mutating func parseKeyword(_ word: String) -> Bool {
        if case .identifier(let name) = current.kind, name.lowercased() == word {
            advance()
            return true
        }
        return false
    }

    /// Reads `on(...)`/`ignoring(...)` and `group_left(...)`/`group_right(...)` after a binary operator.
    private mutating func parseMatching(for op: BinaryOperator) throws(PromQLError) -> VectorMatching? {
        var matching: VectorMatching?
        let column = current.column
        if parseKeyword("on") {
            matching = VectorMatching(cardinality: .oneToOne, on: true, labels: try parseLabelList(), include: [])
        } else if parseKeyword("ignoring") {
            matching = VectorMatching(cardinality: .oneToOne, on: false, labels: try parseLabelList(), include: [])
        }
        if op.isSetOperator {
            matching?.cardinality = .manyToMany
        }
        let groupColumn = current.column
        for (word, cardinality) in [("group_left", VectorMatching.Cardinality.manyToOne), ("group_right", .oneToMany)]
        where parseKeyword(word) {
            guard var existing = matching else {
                throw PromQLError(
                    "\(word) needs on(...) or ignoring(...) before it, as in a * on(model) \(word)(version) b",
                    column: groupColumn)
            }
            if op.isSetOperator {
                throw PromQLError("no grouping allowed for \"\(op.rawValue)\" operation", column: groupColumn)
            }
            existing.cardinality = cardinality
            existing.include = current.kind == .leftParen ? try parseLabelList() : []
            if existing.on, let both = existing.include.first(where: { existing.labels.contains($0) }) {
                throw PromQLError(
                    "label \"\(both)\" must not occur in on() and \(word)() clauses at once", column: groupColumn)
            }
            matching = existing
        }
        _ = column
        return matching
    }

    private mutating func parseLabelList() throws(PromQLError) -> [String] {
        try expect(.leftParen, "\"(\" opening a label list")
        var labels: [String] = []
        while current.kind != .rightParen {
            guard case .identifier(let name) = current.kind, !name.contains(":") else {
                throw PromQLError(
                    "expected a label name in the list but found \(describe(current))", column: current.column)
            }
            labels.append(name)
            advance()
            if current.kind == .comma { advance() } else { break }
        }
        try expect(.rightParen, "\")\" closing the label list")
        return labels
    }

    // MARK: Unary and postfix

    private mutating func parseUnary() throws(PromQLError) -> Node {
        if case .symbol(let symbol) = current.kind, symbol == "-" || symbol == "+" {
            let column = current.column
            advance()
            // Unary minus binds looser than `^` (-2^2 is -4) and tighter than `*`, as in Prometheus.
            let operand = try parseExpression(minimumPrecedence: BinaryOperator.power.precedence)
            guard operand.type == .scalar || operand.type == .vector else {
                throw PromQLError(
                    "unary expression only allowed on expressions of type scalar or instant vector, not \(operand.type.rawValue)",
                    column: column)
            }
            if symbol == "+" { return operand }
            if case .number(let value) = operand { return .number(-value) }
            return .negation(operand)
        }
        return try parsePostfix(try parsePrimary())
    }

    private mutating func parsePostfix(_ base: Node) throws(PromQLError) -> Node {
        var node = base
        while true {
            switch current.kind {
            case .leftBracket:
                let column = current.column
                advance()
                guard case .duration(let range) = current.kind else {
                    throw PromQLError(
                        "expected a duration such as 5m inside the range brackets but found \(describe(current))",
                        column: current.column)
                }
                advance()
                if current.kind == .colon {
                    throw PromQLError(
                        "subqueries are not supported; use a range selector over a recorded series", column: column)
                }
                try expect(.rightBracket, "\"]\" closing the range")
                guard case .selector(var selector) = node, selector.rangeMilliseconds == nil,
                    selector.offsetMilliseconds == 0
                else {
                    throw PromQLError(
                        "subqueries are not supported; ranges are only allowed directly after a vector selector, as in rate(x[5m])",
                        column: column)
                }
                guard range > 0 else {
                    throw PromQLError("range must be greater than zero; write a duration such as 5m", column: column)
                }
                selector.rangeMilliseconds = range
                node = .selector(selector)
            case .identifier(let word) where word.lowercased() == "offset":
                let column = current.column
                advance()
                var sign: Int64 = 1
                if case .symbol("-") = current.kind {
                    sign = -1
                    advance()
                }
                guard case .duration(let offset) = current.kind else {
                    throw PromQLError(
                        "expected a duration such as 5m after offset but found \(describe(current))",
                        column: current.column)
                }
                advance()
                guard case .selector(var selector) = node, selector.offsetMilliseconds == 0 else {
                    throw PromQLError(
                        "offset modifier must be preceded by a vector selector, as in x offset 5m", column: column)
                }
                selector.offsetMilliseconds = sign * offset
                node = .selector(selector)
            case .at:
                throw PromQLError(
                    "the @ modifier is not supported; evaluate at the time you need instead", column: current.column)
            default:
                return node
            }
        }
    }

    // MARK: Primary expressions

    private mutating func parsePrimary() throws(PromQLError) -> Node {
        let token = current
        switch token.kind {
        case .number(let value):
            advance()
            return .number(value)
        case .duration:
            throw PromQLError(
                "a duration is only allowed in a range such as [5m] or after offset; write a plain number of seconds here",
                column: token.column)
        case .string(let value):
            advance()
            return .string(value)
        case .leftParen:
            advance()
            let inner = try parseExpression(minimumPrecedence: 0)
            if current.kind == .colon || current.kind == .leftBracket {
                throw PromQLError(
                    "subqueries are not supported; use a range selector over a recorded series", column: current.column)
            }
            try expect(.rightParen, "\")\" closing the parenthesis opened at column \(token.column)")
            return .parenthesized(inner)
        case .leftBrace:
            return .selector(try parseSelector(name: nil, column: token.column))
        case .identifier(let name):
            let lowered = name.lowercased()
            let next = lookahead(1).kind
            if let aggregation = AggregationOperator(rawValue: lowered),
                next == .leftParen || lookahead(1).kind == .identifier("by")
                    || lookahead(1).kind == .identifier("without")
            {
                advance()
                return try parseAggregation(aggregation, column: token.column)
            }
            if next == .leftParen {
                advance()
                return try parseCall(name, column: token.column)
            }
            if (lowered == "inf" || lowered == "nan") && next != .leftBrace {
                advance()
                return .number(lowered == "inf" ? .infinity : .nan)
            }
            if [
                "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless",
            ].contains(lowered) {
                throw PromQLError(
                    "unexpected keyword \"\(name)\"; a metric name, number or function call is needed here",
                    column: token.column)
            }
            advance()
            return .selector(try parseSelector(name: name, column: token.column))
        default:
            throw PromQLError(
                "unexpected \(describe(token)); a metric name, number, string, function call or \"(\" is needed here",
                column: token.column)
        }
    }

    private mutating func parseSelector(name: String?, column: Int) throws(PromQLError) -> VectorSelector {
        var matchers: [LabelMatcher] = []
        if let name {
            matchers.append(try LabelMatcher(name: "__name__", operator: .equal, value: name))
        }
        if current.kind == .leftBrace {
            advance()
            while current.kind != .rightBrace {
                let labelColumn = current.column
                guard case .identifier(let label) = current.kind, !label.contains(":") else {
                    throw PromQLError(
                        "expected a label name in the selector but found \(describe(current))", column: labelColumn)
                }
                advance()
                let op: LabelMatcher.Operator
                switch current.kind {
                case .assign: op = .equal
                case .symbol("!="): op = .notEqual
                case .regexMatch: op = .regexMatch
                case .regexNoMatch: op = .regexNoMatch
                case .symbol("=="):
                    throw PromQLError("label matchers use a single =, as in \(label)=\"value\"", column: current.column)
                default:
                    throw PromQLError(
                        "expected a label matcher operator (=, !=, =~, !~) after \"\(label)\" but found \(describe(current))",
                        column: current.column)
                }
                advance()
                guard case .string(let value) = current.kind else {
                    throw PromQLError(
                        "expected a quoted string after \(label)\(op.rawValue) but found \(describe(current))",
                        column: current.column)
                }
                let valueColumn = current.column
                advance()
                do {
                    matchers.append(try LabelMatcher(name: label, operator: op, value: value))
                } catch {
                    throw PromQLError(error.description, column: valueColumn)
                }
                if label == "__name__", name != nil {
                    throw PromQLError(
                        "metric name must not be set twice: \"\(name ?? "")\" and a __name__ matcher",
                        column: labelColumn)
                }
                if current.kind == .comma { advance() } else { break }
            }
            try expect(.rightBrace, "\"}\" or \",\" in the selector")
        }
        if !matchers.contains(where: { !$0.matches("") }) {
            throw PromQLError(
                "vector selector must contain at least one non-empty matcher, such as a metric name", column: column)
        }
        return VectorSelector(name: name, matchers: matchers)
    }

    private mutating func parseAggregation(_ op: AggregationOperator, column: Int) throws(PromQLError) -> Node {
        var grouping: [String] = []
        var without = false
        var hasGrouping = false
        if parseKeyword("by") {
            grouping = try parseLabelList()
            hasGrouping = true
        } else if parseKeyword("without") {
            grouping = try parseLabelList()
            without = true
            hasGrouping = true
        }
        try expect(.leftParen, "\"(\" after \(op.rawValue)")
        var arguments: [Node] = []
        while current.kind != .rightParen {
            arguments.append(try parseExpression(minimumPrecedence: 0))
            if current.kind == .comma { advance() } else { break }
        }
        try expect(.rightParen, "\")\" closing \(op.rawValue)(")
        if case .identifier(let word) = current.kind, ["by", "without"].contains(word.lowercased()) {
            if hasGrouping {
                throw PromQLError(
                    "\(op.rawValue) has two grouping clauses; write by(...) or without(...) once",
                    column: current.column)
            }
            advance()
            grouping = try parseLabelList()
            without = word.lowercased() == "without"
            hasGrouping = true
        }
        let expected = op.hasParameter ? 2 : 1
        guard arguments.count == expected else {
            throw PromQLError(
                "wrong number of arguments for aggregate expression \(op.rawValue): expected \(expected), got \(arguments.count)",
                column: column)
        }
        let parameter = op.hasParameter ? arguments[0] : nil
        let argument = arguments[expected - 1]
        if let parameter, parameter.type != .scalar {
            throw PromQLError(
                "expected type scalar in aggregation parameter of \(op.rawValue), got \(parameter.type.rawValue)",
                column: column)
        }
        guard argument.type == .vector else {
            throw PromQLError(
                "expected type instant vector in aggregation expression \(op.rawValue), got \(argument.type.rawValue)",
                column: column)
        }
        return .aggregation(
            Aggregation(
                operator: op, parameter: parameter, argument: argument, grouping: grouping, without: without,
                hasGrouping: hasGrouping))
    }

    private mutating func parseCall(_ name: String, column: Int) throws(PromQLError) -> Node {
        guard let function = Function(rawValue: name) else {
            if name == "count_values" {
                throw PromQLError(
                    "aggregation count_values is not supported; use count by (label) (...)", column: column)
            }
            if Function.unsupported.contains(name) {
                throw PromQLError(
                    "function \"\(name)\" is not supported by Ballast's evaluator; use a recording rule in Prometheus or one of rate, increase, histogram_quantile, *_over_time, clamp, abs",
                    column: column)
            }
            var message = "unknown function \"\(name)\""
            if let suggestion = Self.closestName(to: name) { message += "; did you mean \"\(suggestion)\"?" }
            throw PromQLError(message, column: column)
        }
        try expect(.leftParen, "\"(\" after \(name)")
        var arguments: [Node] = []
        var columns: [Int] = []
        while current.kind != .rightParen {
            columns.append(current.column)
            arguments.append(try parseExpression(minimumPrecedence: 0))
            if current.kind == .comma { advance() } else { break }
        }
        try expect(.rightParen, "\")\" closing \(name)(")
        let expected = function.arguments
        guard arguments.count == expected.count else {
            throw PromQLError(
                "function \"\(name)\" takes \(expected.count) argument\(expected.count == 1 ? "" : "s"), got \(arguments.count)",
                column: column)
        }
        for (index, (argument, type)) in zip(arguments, expected).enumerated() where argument.type != type {
            var message =
                "expected type \(type.rawValue) in call to function \"\(name)\", got \(argument.type.rawValue)"
            if type == .matrix {
                message += "; add a range such as [5m] to the selector"
            }
            throw PromQLError(message, column: columns[index])
        }
        if expected.first == .matrix, case .selector = Self.unwrapped(arguments[0]) {
        } else if expected.first == .matrix {
            throw PromQLError(
                "subqueries are not supported; pass a range selector such as x[5m] to \(name)", column: columns[0])
        }
        return .call(FunctionCall(function: function, arguments: arguments))
    }

    /// The supported function or aggregation name within two edits of a misspelt one.
    static func closestName(to name: String) -> String? {
        let candidates = Function.allCases.map(\.rawValue) + AggregationOperator.allCases.map(\.rawValue)
        let scored = candidates.map { ($0, editDistance(name.lowercased(), $0)) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }?.0
    }

    /// Levenshtein distance between two short names.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        var previous = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    private static func unwrapped(_ node: Node) -> Node {
        if case .parenthesized(let inner) = node { return unwrapped(inner) }
        return node
    }
}
