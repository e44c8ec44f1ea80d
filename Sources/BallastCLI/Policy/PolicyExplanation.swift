import BallastCore
import Foundation
import PolicyFile
import PromQL
import PromText

/// Replays scrapes through a policy: every signal evaluated with PromQL at each scrape time, fed to the
/// ``PolicyEvaluator`` in order, so `for:` durations and stabilisation see the same history a controller would.
struct PolicyExplanation {
    /// The policy as loaded, with source locations.
    var document: PolicyDocument
    /// Which metrics the policy reads were found on the pages.
    var presence: MetricPresenceReport
    /// Targets (`instance` values) and how many scrapes each gave.
    var targets: [(instance: String, scrapes: Int)]
    /// Every evaluation, oldest first; the last one is what the policy decides now.
    var evaluations: [Evaluation]

    /// Signals the throughput behind the cost signals comes from, engine names resolved.
    static let requestRateQuery = "sum(rate(${requests_total}[1m]))"
    static let tokenRateQuery = "sum(rate(${generated_tokens_total}[1m]))"

    init(document: PolicyDocument, scrapes: [Scrape], replicas: Int) throws {
        self.document = document
        let policy = document.policy

        var window = SeriesWindow(longestRangeMilliseconds: Self.longestRange(of: document))
        var pageNames: Set<String> = []
        var byInstance: [String: Int] = [:]
        for scrape in scrapes.sorted(by: { $0.timestampMilliseconds < $1.timestampMilliseconds }) {
            byInstance[scrape.instance, default: 0] += 1
            var samples: [Sample] = []
            for family in scrape.families {
                pageNames.insert(family.name)
                for var sample in family.samples {
                    pageNames.insert(sample.name)
                    sample.labels["instance"] = scrape.instance
                    samples.append(sample)
                }
            }
            window.ingest(samples, at: scrape.timestampMilliseconds, target: scrape.instance)
        }
        presence = document.metricPresence(pageNames: pageNames)
        targets = byInstance.keys.sorted().map { ($0, byInstance[$0] ?? 0) }

        let queries = Self.compileQueries(document)
        let times = Array(Set(scrapes.map(\.timestampMilliseconds))).sorted()
        var evaluator = PolicyEvaluator(policy: policy)
        let fleet = FleetState.steady(replicas)
        evaluations = times.map { time in
            var readings: [String: SignalReading] = [:]
            for (name, query) in queries.signals {
                readings[name] = Self.reading(of: query, in: window, at: time)
            }
            let throughput = Throughput(
                requestsPerSecond: Self.reading(of: queries.requestRate, in: window, at: time),
                tokensPerSecond: Self.reading(of: queries.tokenRate, in: window, at: time)
            )
            let observation = Observation(readings: readings, fleet: fleet, throughput: throughput)
            return evaluator.decide(observed: observation, now: Timestamp(millisecondsSinceEpoch: time))
        }
    }

    /// Parsed queries of every query signal, or the parse problem as the signal's failure.
    private static func compileQueries(_ document: PolicyDocument)
        -> (signals: [(String, Result<PromQL.Expression, QueryProblem>)], requestRate: Result<PromQL.Expression, QueryProblem>, tokenRate: Result<PromQL.Expression, QueryProblem>)
    {
        let engine = document.policy.target.engine
        func compile(_ text: String?) -> Result<PromQL.Expression, QueryProblem> {
            guard let text else { return .failure(QueryProblem(reason: "the engine has no metric for it")) }
            do {
                return .success(try PromQL.Expression.parse(text))
            } catch {
                return .failure(QueryProblem(reason: "\(error)"))
            }
        }
        let signals: [(String, Result<PromQL.Expression, QueryProblem>)] = document.policy.signals.compactMap { signal in
            guard case .query = signal.source else { return nil }
            return (signal.name, compile(document.resolvedQuery(ofSignal: signal.name)))
        }
        return (
            signals,
            compile(try? MetricAliases.resolve(requestRateQuery, engine: engine)),
            compile(try? MetricAliases.resolve(tokenRateQuery, engine: engine))
        )
    }

    /// A query's value at `time` as a reading: one number, or why there is none.
    private static func reading(of query: Result<PromQL.Expression, QueryProblem>, in window: SeriesWindow, at time: Int64) -> SignalReading {
        switch query {
        case .failure(let problem):
            return .failed(reason: problem.reason)
        case .success(let expression):
            do {
                switch try window.evaluate(expression, at: time) {
                case .scalar(let value):
                    return .value(value)
                case .vector(let elements):
                    if elements.isEmpty {
                        return .missing(reason: "the query returned no series (metrics absent, or fewer than two scrapes for a rate)")
                    }
                    if elements.count > 1 {
                        return .failed(reason: "the query returned \(elements.count) series; aggregate it to one, e.g. max(…) or sum(…)")
                    }
                    return .value(elements[0].value)
                case .matrix, .string:
                    return .failed(reason: "the query returns a range or string; a signal must return one number")
                }
            } catch {
                return .failed(reason: "\(error)")
            }
        }
    }

    /// The longest range any signal reads, at least a minute (the throughput queries' range).
    private static func longestRange(of document: PolicyDocument) -> Int64 {
        var longest: Int64 = 60_000
        for signal in document.policy.signals {
            guard let text = document.resolvedQuery(ofSignal: signal.name), let expression = try? PromQL.Expression.parse(text) else { continue }
            longest = max(longest, expression.longestRangeMilliseconds)
        }
        return longest
    }
}

/// Why a signal's query could not be evaluated.
struct QueryProblem: Error {
    var reason: String
}
