public import BallastCore
import Foundation
import Yams

/// Reads policy files (`apiVersion: ballast/v1`, `kind: Policy`) into ``Policy`` values.
///
/// Every problem in a file is reported at once, each naming the file, line and field and saying what to write
/// instead. Loading never crashes on malformed input.
public enum PolicyLoader {
    /// The checker used for signal queries; see ``QueryChecking`` for how the PromQL parser replaces it.
    static let queryChecker: any QueryChecking = PromQLQueryChecker()

    /// Reads and checks the policy file at `path`.
    public static func load(contentsOf path: String) throws(PolicyFileError) -> Policy {
        try loadDocument(contentsOf: path).policy
    }

    /// Reads and checks the policy file at `path`, keeping where each signal and rule was written.
    public static func loadDocument(contentsOf path: String) throws(PolicyFileError) -> PolicyDocument {
        try parseDocument(readFile(path), file: path)
    }

    /// Reads and checks several policy files, reporting the problems of all of them together.
    ///
    /// Two files that define the same `metadata.name` are a problem too: rendered objects would collide.
    public static func loadAll(contentsOf paths: [String]) throws(PolicyFileError) -> [PolicyDocument] {
        var documents: [PolicyDocument] = []
        var problems: [PolicyProblem] = []
        var firstFileByName: [String: String] = [:]
        for path in paths {
            do {
                let document = try loadDocument(contentsOf: path)
                if let other = firstFileByName[document.policy.name] {
                    problems.append(
                        PolicyProblem(
                            location: SourceLocation(file: path, line: 0), field: "metadata.name",
                            message:
                                "metadata.name (\(document.policy.name)) is already used by \(other); give each policy its own name."
                        ))
                } else {
                    firstFileByName[document.policy.name] = path
                    documents.append(document)
                }
            } catch {
                problems += error.problems
            }
        }
        if !problems.isEmpty { throw PolicyFileError(problems: problems) }
        return documents
    }

    /// Parses and checks policy YAML; `file` names the source in messages.
    public static func parse(_ yaml: String, file: String) throws(PolicyFileError) -> Policy {
        try parseDocument(yaml, file: file).policy
    }

    /// Parses and checks policy YAML, keeping where each signal and rule was written.
    public static func parseDocument(_ yaml: String, file: String) throws(PolicyFileError) -> PolicyDocument {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw PolicyFileError(problems: [YamlErrorTranslation.problem(for: error, file: file)])
        } catch {
            throw PolicyFileError(problems: [
                PolicyProblem(
                    location: SourceLocation(file: file, line: 0), field: "",
                    message: "the file is not valid YAML (\(error)); check its indentation and quoting.")
            ])
        }
        let decoder = PolicyDecoder(file: file, checker: queryChecker)
        guard let document = decoder.decode(root: root) else {
            throw PolicyFileError(problems: decoder.sortedProblems)
        }
        return document
    }

    private static func readFile(_ path: String) throws(PolicyFileError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason =
                FileManager.default.fileExists(atPath: path)
                ? "cannot be read (\(error.localizedDescription)); check its permissions"
                : "does not exist; check the path"
            throw PolicyFileError(problems: [
                PolicyProblem(
                    location: SourceLocation(file: path, line: 0), field: "", message: "the policy file \(reason).")
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PolicyFileError(problems: [
                PolicyProblem(
                    location: SourceLocation(file: path, line: 0), field: "",
                    message: "the policy file is not UTF-8 text; save it as UTF-8.")
            ])
        }
        return text
    }
}
