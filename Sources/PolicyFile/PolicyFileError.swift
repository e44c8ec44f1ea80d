/// One thing wrong in a policy file, with where it is and what to write instead.
public struct PolicyProblem: Hashable, Sendable, CustomStringConvertible {
    /// Where the problem is.
    public var location: SourceLocation
    /// Dotted path of the field, such as `spec.target.minReplicas` or `spec.rules[queue-time].for`.
    public var field: String
    /// A sentence that starts with the field, says what is wrong and what to write.
    public var message: String

    /// Creates a problem.
    public init(location: SourceLocation, field: String, message: String) {
        self.location = location
        self.field = field
        self.message = message
    }

    /// `file:line: message`, e.g. `policies/prod.yaml:12: spec.target.minReplicas (4) is above maxReplicas (2); …`.
    public var description: String { "\(location): \(message)" }
}

/// Everything wrong with one or more policy files; loading reports all problems at once, in file order.
public struct PolicyFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The problems, in file order.
    public var problems: [PolicyProblem]

    /// Creates an error from problems (at least one).
    public init(problems: [PolicyProblem]) {
        self.problems = problems
    }

    /// One problem per line.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
