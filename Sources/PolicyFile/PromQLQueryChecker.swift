import PromQL

/// Checks signal queries with the PromQL module's parser, the same one the controller evaluates them with,
/// so a query that loads is a query that runs.
struct PromQLQueryChecker: QueryChecking {
    func check(_ query: String) -> QueryProblem? {
        do {
            _ = try Expression.parse(query)
            return nil
        } catch {
            let column = error.column ?? 1
            var message = error.description
            let prefix = "column \(column): "
            if message.hasPrefix(prefix) { message.removeFirst(prefix.count) }
            if message.hasSuffix(".") { message.removeLast() }
            return QueryProblem(offset: max(0, column - 1), message: "column \(column): \(message)")
        }
    }

    /// Names in order of first appearance; a `{__name__=~"a|b"}` selector that lists literal names (as the alias
    /// table writes for renamed metrics) contributes each of them, so presence checks see both spellings.
    func metricNames(in query: String) -> [String] {
        guard let expression = try? Expression.parse(query) else { return [] }
        var names: [String] = []
        for selector in expression.selectors {
            for name in Self.names(of: selector) where !names.contains(name) { names.append(name) }
        }
        return names
    }

    private static func names(of selector: VectorSelector) -> [String] {
        if let name = selector.metricName { return [name] }
        let literal = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:|")
        for matcher in selector.matchers where matcher.name == "__name__" && matcher.operator == .regexMatch {
            if matcher.value.allSatisfy(literal.contains) {
                return matcher.value.split(separator: "|").map(String.init)
            }
        }
        return []
    }
}
