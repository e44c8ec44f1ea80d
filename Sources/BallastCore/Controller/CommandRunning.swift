/// Runs external programs (`kubectl`, `ballast quantize`) with an argument vector, never through a shell.
///
/// The Kubernetes runtime and target discovery talk to the cluster only through this, so tests can
/// check the exact commands they would run.
public protocol CommandRunning: Sendable {
    /// Runs `arguments[0]` (looked up in `PATH` when it has no slash) with the rest as its arguments,
    /// feeding `input` to standard input, and stops it after `timeout`. Never throws: a program that
    /// cannot start is a record with a `nil` exit code and the reason in `stderr`.
    func run(_ arguments: [String], input: [UInt8]?, timeout: Duration) async -> CommandRecord
}
