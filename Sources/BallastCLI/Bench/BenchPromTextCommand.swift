public import ArgumentParser
import Foundation
import PromText

/// `ballast bench promtext`: parse one exposition page many times and report bytes and samples per second.
public struct BenchPromTextCommand: ParsableCommand {
    /// Name, abstract and help of the command.
    public static let configuration = CommandConfiguration(
        commandName: "promtext",
        abstract: "Measure the Prometheus text parser in MB/s and samples/s.",
        discussion: """
            Without --page it parses a built-in, deterministic page of about 1 MB in the style of vLLM and \
            node-exporter. Progress goes to stderr; results to stdout.
            """
    )

    /// Page to parse; the built-in page when absent.
    @Option(name: .long, help: "Exposition page to parse (default: the built-in ~1 MB page).")
    public var page: String?

    /// Timed parses; default 50, about a second on a laptop for the built-in page.
    @Option(name: .long, help: "How many timed parses to run.")
    public var iterations: Int = 50

    /// Size of the built-in page in bytes; default 1,000,000.
    @Option(name: .long, help: "Size in bytes of the built-in page.")
    public var pageBytes: Int = 1_000_000

    /// Writes the built-in page to this file and exits, so other parsers can be measured on the same bytes.
    @Option(name: .long, help: "Write the built-in page to FILE and exit.")
    public var writePage: String?

    /// Families to keep (repeatable); all when absent. Measures a scrape that needs only a few families.
    @Option(name: .customLong("family"), help: "Keep only this family (repeatable); measures a filtered scrape.")
    public var families: [String] = []

    /// Print one JSON object instead of a sentence.
    @Flag(name: .long, help: "Print the result as one JSON object.")
    public var json = false

    /// Creates the command; argument parsing fills it in.
    public init() {}

    /// Rejects counts below one before any work starts.
    public func validate() throws {
        guard iterations >= 1 else {
            throw ValidationError("--iterations must be at least 1; \(iterations) was given.")
        }
        guard pageBytes >= 1 else {
            throw ValidationError("--page-bytes must be at least 1; \(pageBytes) was given.")
        }
        if page != nil, writePage != nil {
            throw ValidationError(
                "--write-page writes the built-in page; drop --page, or drop --write-page to measure it.")
        }
    }

    /// Writes the page, or measures the parser and prints the result.
    public func run() throws {
        if let writePage {
            let bytes = BenchmarkPage.make(targetBytes: pageBytes)
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: writePage))
            } catch {
                throw ValidationError("Cannot write the page to \(writePage): \(error.localizedDescription)")
            }
            FileHandle.standardError.write(Data("wrote \(bytes.count) bytes to \(writePage)\n".utf8))
            return
        }
        let bytes: [UInt8]
        if let page {
            guard let data = FileManager.default.contents(atPath: page) else {
                throw ValidationError("Cannot read the page \(page); check the path.")
            }
            bytes = [UInt8](data)
        } else {
            bytes = BenchmarkPage.make(targetBytes: pageBytes)
        }
        let kept = families.isEmpty ? nil : Set(families)
        let result = try PromTextBenchmark.measure(page: bytes, iterations: iterations, families: kept) { message in
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        if json {
            print(result.json)
        } else {
            print(result.summary)
        }
    }
}
