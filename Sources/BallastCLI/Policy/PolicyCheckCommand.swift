import ArgumentParser
import PolicyFile

/// `ballast policy check FILE…`: validates policy files and reports every problem with file, line and fix.
struct PolicyCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate policy files; on problems, name file, line and fix, and exit 1.",
        discussion: """
            Checks YAML structure, field names and types, units of durations and thresholds, PromQL syntax, \
            and that every rule reads a defined signal. All problems of all files are reported at once.
            """
    )

    @Argument(help: "Policy files to check, such as policies/default.yaml.")
    var files: [String]

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name at least one policy file, such as policies/default.yaml.") }
    }

    func run() throws {
        let report = PolicyCheckReport(checking: files)
        print(json ? try report.json() : report.text(), terminator: "")
        if !report.isValid { throw ExitCode(1) }
    }
}
