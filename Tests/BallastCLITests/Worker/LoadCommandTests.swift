import BallastTestSupport
import Foundation
import Testing

/// `ballast load` run as a process against a real `ballast worker` (and a fake server for what a worker cannot be
/// made to do), reading its `--json` report.
@Suite(.serialized)
struct LoadCommandTests {
    /// The `--json` report.
    struct Report: Decodable {
        struct Percentiles: Decodable {
            var p50: Double
            var p95: Double
            var p99: Double
            var count: Int
        }

        var mode: String
        var durationSeconds: Double
        var requests: Int
        var succeeded: Int
        var errors: [String: Int]
        var generatedTokens: Int
        var tokensPerSecond: Double
        var requestsPerSecond: Double
        var timeToFirstToken: Percentiles
        var interTokenLatency: Percentiles
        var endToEnd: Percentiles
    }

    /// Runs `ballast load` with `arguments`, bounded.
    static func load(_ arguments: [String]) async throws -> ChildProcess.Output {
        try await ChildProcess.run(try BallastBinary.executable().path, ["load"] + arguments, limitSeconds: 300)
    }

    /// Runs `ballast load … --json`, expects success and decodes the report.
    static func report(_ arguments: [String]) async throws -> Report {
        let run = try await load(arguments + ["--json"])
        try #require(run.status == 0, "ballast load failed: \(run.transcript)")
        do {
            return try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        } catch {
            throw BallastBinary.SetupError(
                description: "The report is not the expected JSON (\(error)): \(run.transcript)")
        }
    }

    static let maxTokens = 12

    /// Completions in a closed loop, chat in an open loop; `--ignore-eos` makes every request run to max_tokens.
    @Test(.enabled(if: TestModelFile.required), arguments: [["--concurrency", "2"], ["--rate", "4", "--chat"]])
    func loadOnAWorkerReportsOrderedLatenciesAndNoErrors(mode: [String]) async throws {
        let worker = try await RunningWorker.start()
        defer { worker.stop() }
        let report = try await Self.report(
            [worker.base] + mode + [
                "--duration", "3s", "--max-tokens", String(Self.maxTokens), "--model", RunningWorker.modelName,
                "--ignore-eos",
            ])
        #expect(report.mode == (mode[0] == "--rate" ? "open loop, 4.0 requests/s" : "closed loop, 2 clients"))
        #expect(report.errors.isEmpty, "errors: \(report.errors)\nworker log:\n\(worker.log.suffix(2000))")
        #expect(report.succeeded > 0)
        #expect(report.requests == report.succeeded)
        #expect(report.generatedTokens == report.succeeded * Self.maxTokens)
        #expect(report.tokensPerSecond > 0)
        #expect(report.requestsPerSecond > 0)
        #expect(report.durationSeconds >= 3)
        for (name, p) in [
            ("ttft", report.timeToFirstToken), ("itl", report.interTokenLatency), ("e2e", report.endToEnd),
        ] {
            #expect(p.p50 > 0, "\(name): \(p)")
            #expect(p.p50 <= p.p95 && p.p95 <= p.p99, "\(name): \(p)")
        }
        // One first token and one end per request, at most one gap between consecutive tokens.
        #expect(report.timeToFirstToken.count == report.succeeded)
        #expect(report.endToEnd.count == report.succeeded)
        #expect(report.interTokenLatency.count <= report.generatedTokens - report.succeeded)
        #expect(report.interTokenLatency.count > 0)
        // Each request's first token comes before its end, so every percentile does too.
        #expect(report.timeToFirstToken.p50 <= report.endToEnd.p50)
        #expect(report.timeToFirstToken.p99 <= report.endToEnd.p99)
    }

    @Test(.enabled(if: TestModelFile.required))
    func failuresOfAFaultyWorkerAreCountedByKind() async throws {
        let worker = try await RunningWorker.start(["--fault-rate", "1"])
        defer { worker.stop() }
        let report = try await Self.report([worker.base, "--concurrency", "2", "--duration", "1s", "--max-tokens", "4"])
        #expect(report.requests > 0)
        #expect(report.succeeded == 0)
        #expect(report.errors == ["http_500": report.requests])
        #expect(report.generatedTokens == 0)
        #expect(report.tokensPerSecond == 0)
        #expect(report.timeToFirstToken.count == 0)
    }

    /// Every closed-loop client has its request open at the server at once: the fake server holds requests until
    /// sixteen are open, and answers 503 if they never are.
    @Test func sixteenClientsAreInFlightTogether() async throws {
        let server = try await FakeStreamServer(style: .barrier, count: 16)
        defer { server.stop() }
        let report = try await Self.report([server.base + "/v1", "--concurrency", "16", "--duration", "1s"])
        #expect(report.errors.isEmpty, "errors: \(report.errors)")
        #expect(report.succeeded >= 16)
        // CR LF line ends and `data:` without a space are read: three tokens and the usage chunk's count.
        #expect(report.generatedTokens == 3 * report.succeeded)
        #expect(report.interTokenLatency.count == 2 * report.succeeded)
    }

    /// A kept-alive connection the server closed before answering is retried on a new one, not counted as an
    /// error: every connection of this server answers once and drops the next request.
    @Test(arguments: [2, 16])
    func requestsOnConnectionsTheServerClosedAreSentAgain(clients: Int) async throws {
        let server = try await FakeStreamServer(style: .oneAnswerPerConnection)
        defer { server.stop() }
        let report = try await Self.report([server.base, "--concurrency", String(clients), "--duration", "1s"])
        #expect(report.errors.isEmpty, "errors: \(report.errors)")
        #expect(report.succeeded > clients, "more requests than connections at first")
        #expect(report.generatedTokens == 3 * report.succeeded)
    }

    /// A server that went away mid-run is not hammered: a closed-loop client waits 100 ms after a failed
    /// connection, so one client in one second makes at most eleven more attempts after the answered one.
    @Test func clientsPauseAfterAConnectionFails() async throws {
        let server = try await FakeStreamServer(style: .quitAfterOne)
        defer { server.stop() }
        let report = try await Self.report([server.base, "--concurrency", "1", "--duration", "1s"])
        #expect(report.succeeded == 1)
        let failures = report.errors["connection"] ?? 0
        #expect(failures >= 1, "errors: \(report.errors)")
        #expect(failures <= 11, "errors: \(report.errors)")
        #expect(report.errors.keys.sorted() == ["connection"])
    }

    @Test(arguments: [(FakeStreamServer.Style.error, "stream_error"), (.cut, "incomplete_stream")])
    func brokenStreamsAreErrors(style: FakeStreamServer.Style, kind: String) async throws {
        let server = try await FakeStreamServer(style: style)
        defer { server.stop() }
        let report = try await Self.report([server.base, "--concurrency", "1", "--duration", "500ms"])
        #expect(report.requests > 0)
        #expect(report.errors == [kind: report.requests])
        #expect(report.succeeded == 0)
    }

    @Test func nothingListeningIsAnErrorNamingTheURL() async throws {
        let port = try freeLoopbackPort()
        let run = try await Self.load(["http://127.0.0.1:\(port)", "--concurrency", "2", "--duration", "1s", "--json"])
        #expect(run.status == 1, "\(run.transcript)")
        #expect(run.stderr.contains("Nothing answered GET http://127.0.0.1:\(port)/v1/models"), "\(run.transcript)")
        #expect(run.stderr.contains("start the server or correct the URL"), "\(run.transcript)")
        #expect(run.stdout.isEmpty, "no report when nothing was measured")
    }

    @Test(arguments: [
        ([], "Missing expected argument '<url>'"),
        (["http://127.0.0.1:9"], "Give exactly one of --rate (open loop) and --concurrency (closed loop)."),
        (["http://127.0.0.1:9", "--rate", "2", "--concurrency", "2"], "Give exactly one of --rate"),
        (["http://127.0.0.1:9", "--rate=-1"], "--rate -1.0 must be a positive number."),
        (["http://127.0.0.1:9", "--rate", "0"], "--rate 0.0 must be a positive number."),
        (["http://127.0.0.1:9", "--rate", "inf"], "--rate inf must be a positive number."),
        (["http://127.0.0.1:9", "--concurrency", "0"], "--concurrency 0 must be at least 1."),
        (["http://127.0.0.1:9", "--concurrency", "1", "--duration", "0s"], "--duration 0s is not a positive duration"),
        (
            ["http://127.0.0.1:9", "--concurrency", "1", "--duration", "soon"],
            "--duration soon is not a positive duration"
        ),
        (["http://127.0.0.1:9", "--concurrency", "1", "--max-tokens", "0"], "--max-tokens 0 must be at least 1."),
        (["localhost:8080", "--concurrency", "1"], "localhost:8080 is not an http:// or https:// URL"),
        (["ftp://127.0.0.1/", "--concurrency", "1"], "ftp://127.0.0.1/ is not an http:// or https:// URL"),
        (
            ["http://127.0.0.1:9", "--concurrency", "1", "--prompts", "/nonexistent/prompts.txt"],
            "--prompts /nonexistent/prompts.txt could not be read"
        ),
    ])
    func badInputIsAUsageErrorNamingTheFix(arguments: [String], message: String) async throws {
        let run = try await Self.load(arguments)
        #expect(run.status == 64, "\(run.transcript)")
        #expect(run.stderr.contains(message), "\(run.transcript)")
    }

    @Test func emptyPromptsFileIsAUsageError() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ballast-prompts-\(UUID().uuidString).txt")
        try Data("\n\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try await Self.load(["http://127.0.0.1:9", "--concurrency", "1", "--prompts", file.path])
        #expect(run.status == 64, "\(run.transcript)")
        #expect(run.stderr.contains("--prompts \(file.path) has no prompts; write one per line."), "\(run.transcript)")
    }
}
