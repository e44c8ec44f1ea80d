import BallastCore
import Foundation
import PolicyFile

/// The outcome of checking policy files: per file, the policy it defines or the problems it has.
struct PolicyCheckReport: Encodable {
    /// One checked file.
    struct Entry: Encodable {
        var file: String
        var policy: String?
        var signals: Int
        var rules: Int
        var problems: [Problem]
    }

    /// One problem, as JSON readers want it.
    struct Problem: Encodable {
        var file: String
        var line: Int
        var column: Int
        var field: String
        var message: String
    }

    var entries: [Entry]

    /// True when no file has a problem.
    var isValid: Bool { entries.allSatisfy { $0.problems.isEmpty } }

    /// Checks each file on its own, so one broken file does not hide the state of the others.
    init(checking files: [String]) {
        entries = files.map { file in
            do throws(PolicyFileError) {
                let policy = try PolicyLoader.load(contentsOf: file)
                return Entry(file: file, policy: policy.name, signals: policy.signals.count, rules: policy.rules.count, problems: [])
            } catch {
                let problems = error.problems.map {
                    Problem(file: $0.location.file, line: $0.location.line, column: $0.location.column, field: $0.field, message: $0.description)
                }
                return Entry(file: file, policy: nil, signals: 0, rules: 0, problems: problems)
            }
        }
    }

    /// One line per valid file, one line per problem, and a closing count.
    func text() -> String {
        var lines: [String] = []
        for entry in entries {
            if entry.problems.isEmpty {
                lines.append("\(entry.file): ok (policy \(entry.policy ?? "?"), \(entry.signals) signals, \(entry.rules) rules)")
            } else {
                lines += entry.problems.map(\.message)
            }
        }
        let problemCount = entries.reduce(0) { $0 + $1.problems.count }
        if problemCount > 0 {
            let files = entries.filter { !$0.problems.isEmpty }.count
            lines.append("\(problemCount) problem\(problemCount == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s").")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as pretty-printed JSON with sorted keys.
    func json() throws -> String {
        try JSONOutput.document(self)
    }
}
