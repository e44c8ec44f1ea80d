import BallastCore
import PolicyFile
import Testing

struct ScrapeSettingsTests {
    @Test func absentBlockGivesTheDefaults() throws {
        let document = try PolicyLoader.parseDocument(Support.policy(""), file: "p.yaml")
        #expect(document.policy.scrape == ScrapeSettings())
        #expect(document.policy.scrape.targets.isEmpty)
        #expect(document.policy.scrape.interval == .seconds(5))
        #expect(document.policy.scrape.timeout == .seconds(5))
        #expect(document.policy.scrape.path == "/metrics")
    }

    @Test(arguments: [
        ("  scrape: {targets: [\"10.0.0.5:8080\"]}", ["10.0.0.5:8080"], Duration.seconds(5), Duration.seconds(5), "/metrics"),
        ("  scrape: {interval: 30s}", [], .seconds(30), .seconds(10), "/metrics"),
        ("  scrape: {interval: 1s}", [], .seconds(1), .seconds(1), "/metrics"),
        (
            "  scrape: {targets: [\"a:1\", \"[::1]:9100\"], interval: 15s, timeout: 2s, path: /stats/metrics}",
            ["a:1", "[::1]:9100"], .seconds(15), .seconds(2), "/stats/metrics"
        ),
    ])
    func readsTheBlock(yaml: String, targets: [String], interval: Duration, timeout: Duration, path: String) throws {
        let scrape = try PolicyLoader.parse(Support.policy(yaml), file: "p.yaml").scrape
        #expect(scrape.targets == targets)
        #expect(scrape.interval == interval)
        #expect(scrape.timeout == timeout)
        #expect(scrape.path == path)
    }

    @Test func staticTargetsBecomeScrapeTargets() {
        let settings = ScrapeSettings(targets: ["10.0.0.5:8080"], path: "/m")
        #expect(settings.scrapeTargets == [ScrapeTarget(instance: "10.0.0.5:8080", url: "http://10.0.0.5:8080/m")])
    }

    /// Line 6 is the `scrape:` line in every case.
    @Test(arguments: [
        ("  scrape: {targetz: []}", "p.yaml:6: spec.scrape.targetz is not a known field; did you mean targets?"),
        (
            "  scrape: {targets: \"a:1\"}",
            "p.yaml:6: spec.scrape.targets must be a list such as `[\"10.0.0.5:8080\", \"10.0.0.6:8080\"]`, not `a:1`."
        ),
        (
            "  scrape: {targets: [\"a\"]}",
            "p.yaml:6: spec.scrape.targets[0] (`a`) has no port; write host:port such as 10.0.0.5:8080."
        ),
        (
            "  scrape: {targets: [\"http://a:1/metrics\"]}",
            "p.yaml:6: spec.scrape.targets[0] (`http://a:1/metrics`) is a URL, not host:port; drop the scheme and put the path in scrape.path; write host:port such as 10.0.0.5:8080."
        ),
        (
            "  scrape: {targets: [\"a:99999\"]}",
            "p.yaml:6: spec.scrape.targets[0] (`a:99999`) has a port that is not a number from 1 to 65535; write host:port such as 10.0.0.5:8080."
        ),
        (
            "  scrape: {targets: [\"a:1\", \"a:1\"]}",
            "p.yaml:6: spec.scrape.targets[1] (`a:1`) is listed twice; keep one."
        ),
        (
            "  scrape: {interval: 5}",
            "p.yaml:6: spec.scrape.interval (5) has no unit; write 5ms or 5s."
        ),
        (
            "  scrape: {interval: 0s}",
            "p.yaml:6: spec.scrape.interval must be longer than 0s; write for example 5s."
        ),
        (
            "  scrape: {interval: 5s, timeout: 10s}",
            "p.yaml:6: spec.scrape.timeout (10s) is longer than the interval (5s), so scrapes of one target would overlap; write a timeout of at most 5s."
        ),
        (
            "  scrape: {path: metrics}",
            "p.yaml:6: spec.scrape.path (`metrics`) must be a URL path starting with / and without spaces or a query, such as /metrics."
        ),
        (
            "  scrape: [a]",
            "p.yaml:6: spec.scrape must be a mapping of fields such as `targets: [\"10.0.0.5:8080\"]`, not a list."
        ),
    ])
    func badBlocksNameLineAndField(yaml: String, expected: String) {
        #expect(Support.problems(Support.policy(yaml)) == [expected])
    }

    @Test func writerRoundTripsNonDefaultSettings() throws {
        let yaml = Support.policy("  scrape: {targets: [\"10.0.0.5:8080\"], interval: 10s, timeout: 3s, path: /m}")
        let document = try PolicyLoader.parseDocument(yaml, file: "p.yaml")
        let written = PolicyWriter.yaml(for: document)
        #expect(written.contains("  scrape:\n    targets: [\"10.0.0.5:8080\"]\n    interval: 10s\n    timeout: 3s\n"))
        #expect(try PolicyLoader.parse(written, file: "w.yaml") == document.policy)
    }

    @Test func writerLeavesOutDefaultSettings() throws {
        let document = try PolicyLoader.parseDocument(Support.policy(""), file: "p.yaml")
        #expect(!PolicyWriter.yaml(for: document).contains("scrape:"))
    }
}
