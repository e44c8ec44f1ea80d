public import BallastCore

/// A ``CommandRunning`` fake that records every argument vector and answers from a script.
///
/// Each call is matched against the responses in order: the first whose prefix matches the
/// arguments answers. An unmatched command fails with exit code 127, as a shell would.
public actor ScriptedCommandRunner: CommandRunning {
    /// A canned answer for commands starting with ``prefix``.
    public struct Response: Sendable {
        /// Argument prefix to match, program first.
        public var prefix: [String]
        /// Exit status to report.
        public var exitCode: Int32
        /// Standard output to report.
        public var stdout: String
        /// Standard error to report.
        public var stderr: String

        /// Creates a response.
        public init(prefix: [String], exitCode: Int32 = 0, stdout: String = "", stderr: String = "") {
            self.prefix = prefix
            self.exitCode = exitCode
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// Every argument vector run so far, in order.
    public private(set) var calls: [[String]] = []
    /// Standard input given to each call, in order (`nil` when none).
    public private(set) var inputs: [[UInt8]?] = []
    private var responses: [Response]

    /// Creates a runner answering from `responses`.
    public init(responses: [Response] = []) {
        self.responses = responses
    }

    /// Replaces the script, for tests that change the answer midway (kubectl starts failing).
    public func setResponses(_ responses: [Response]) {
        self.responses = responses
    }

    /// Records the call and answers from the script.
    public func run(_ arguments: [String], input: [UInt8]?, timeout: Duration) async -> CommandRecord {
        calls.append(arguments)
        inputs.append(input)
        guard let response = responses.first(where: { arguments.starts(with: $0.prefix) }) else {
            return CommandRecord(arguments: arguments, exitCode: 127, stderr: "\(arguments.first ?? ""): command not scripted")
        }
        return CommandRecord(
            arguments: arguments, exitCode: response.exitCode, stdout: response.stdout, stderr: response.stderr)
    }
}
