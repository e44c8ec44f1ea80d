import Yams

/// Turns Yams' errors into problems with the file's line and a hint.
enum YamlErrorTranslation {
    static func problem(for error: YamlError, file: String) -> PolicyProblem {
        switch error {
        case .scanner(let context, let problem, let mark, let yaml),
            .parser(let context, let problem, let mark, let yaml),
            .composer(let context, let problem, let mark, let yaml):
            if problem.hasPrefix("Maximum nesting level reached") {
                return PolicyProblem(
                    location: SourceLocation(file: file, line: mark.line, column: mark.column), field: "",
                    message:
                        "brackets or indentation nest deeper than the YAML reader allows at column \(mark.column); a policy needs a few levels, so look for unclosed [ or {."
                )
            }
            // A `${placeholder}` in a flow mapping closes the mapping early; say so instead of the parser's words.
            let lineText =
                yaml.split(separator: "\n", omittingEmptySubsequences: false)
                .dropFirst(max(0, (context?.mark.line ?? mark.line) - 1)).first ?? ""
            if lineText.contains("${"), problem.contains("did not find expected ',' or '}'") {
                return PolicyProblem(
                    location: SourceLocation(file: file, line: context?.mark.line ?? mark.line, column: mark.column),
                    field: "",
                    message:
                        "a ${placeholder} inside { } ends the mapping early; quote the query, as in `kv: \"max(${kv_cache_usage_ratio})\"`, or write the signal on its own line."
                )
            }
            let around = context.map { "\($0.text) at line \($0.mark.line), " } ?? ""
            return PolicyProblem(
                location: SourceLocation(file: file, line: mark.line, column: mark.column), field: "",
                message:
                    "YAML syntax error at column \(mark.column): \(around)\(problem); check indentation, quoting and brackets on this line."
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().joined(separator: ", ")
            return PolicyProblem(
                location: SourceLocation(file: file, line: context.mark.line, column: context.mark.column), field: "",
                message: "the key \(keys) appears twice in one mapping; keep one.")
        case .reader(let problem, _, _, _):
            return PolicyProblem(
                location: SourceLocation(file: file, line: 0), field: "",
                message:
                    "the file cannot be read as YAML text: \(problem); save it as UTF-8 without control characters.")
        default:
            return PolicyProblem(
                location: SourceLocation(file: file, line: 0), field: "",
                message: "the file is not valid YAML (\(error)); check its indentation and quoting.")
        }
    }
}
