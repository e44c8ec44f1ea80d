import ArgumentParser
import BallastCore
import Foundation
import PolicyFile

/// `ballast policy explain FILE --metrics SOURCE…`: what the policy would decide for these metric pages, and why.
struct PolicyExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Evaluate a policy against metric pages and print what would fire and why.",
        discussion: """
            Each --metrics source is one target. A file is one scrape; a directory holds successive scrapes of one \
            target, one page per file in name order, --interval apart; a URL is scraped --scrapes times, --interval \
            apart. Rate-based signals need at least two scrapes. The policy is evaluated at every scrape time in \
            order, so `for:` durations are honoured, and the last evaluation is printed. Exits 1 when a metric the \
            policy reads is absent from every target, since a policy reading nothing can never act.
            """
    )

    @Argument(help: "Policy file, such as policies/default.yaml.")
    var policy: String

    @Option(name: .customLong("metrics"), help: "A metrics page file, a directory of successive pages, or an http(s) URL. Repeat for more targets.")
    var sources: [String] = []

    @Option(help: "Replicas currently running. Default: the number of --metrics targets.")
    var replicas: Int?

    @Option(help: "Time between successive scrapes, such as 15s.")
    var interval: String = "15s"

    @Option(help: "How many times to scrape each URL.")
    var scrapes: Int = 2

    @Flag(help: "Evaluate even when metrics the policy reads are absent from every target.")
    var allowMissing = false

    @Flag(help: "Print the evaluation as JSON.")
    var json = false

    func validate() throws {
        if sources.isEmpty {
            throw ValidationError("Pass at least one --metrics source: a page file, a directory of pages, or a URL.")
        }
        if let replicas, replicas < 0 { throw ValidationError("--replicas (\(replicas)) must be 0 or more.") }
        if scrapes < 1 { throw ValidationError("--scrapes (\(scrapes)) must be at least 1.") }
        if (try? DurationText.parse(interval).get()) == nil {
            throw ValidationError("--interval (\(interval)) is not a duration; write it like 15s or 500ms.")
        }
    }

    func run() async throws {
        let document: PolicyDocument
        do {
            document = try PolicyLoader.loadDocument(contentsOf: policy)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        let step = (try? DurationText.parse(interval).get()) ?? .seconds(15)
        let explanation: PolicyExplanation
        do {
            let targets = try sources.map(MetricsPageSource.init(argument:))
            var scrapes: [Scrape] = []
            let end = Int64(Date().timeIntervalSince1970 * 1000)
            for target in targets {
                scrapes += try await target.read(scrapes: self.scrapes, interval: step, end: end, timeout: .seconds(10))
            }
            explanation = try PolicyExplanation(
                document: document,
                scrapes: scrapes,
                replicas: replicas ?? targets.count
            )
        } catch let error as MetricsSourceError {
            printError(error.description)
            throw ExitCode(1)
        }
        if !explanation.presence.isComplete && !allowMissing {
            print(json ? try explanation.json() : explanation.text(), terminator: "")
            printError(explanation.missingMetricsMessage())
            throw ExitCode(1)
        }
        print(json ? try explanation.json() : explanation.text(), terminator: "")
    }
}

