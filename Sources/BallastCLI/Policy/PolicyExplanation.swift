import BallastCore
import Controller
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

    init(document: PolicyDocument, scrapes: [Scrape], replicas: Int) throws {
        self.document = document
        let policy = document.policy

        let signalQueries = SignalQueries(document: document)
        var window = SeriesWindow(longestRangeMilliseconds: signalQueries.longestRangeMilliseconds)
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

        // Each query is parsed once; a parse error becomes that query's failed reading at every time.
        let compiled: [(name: String, expression: Result<PromQL.Expression, PromQLError>)] =
            signalQueries.queries.map { query in
                (query.name, Result { () throws(PromQLError) in try PromQL.Expression.parse(query.text) })
            }
        let times = Array(Set(scrapes.map(\.timestampMilliseconds))).sorted()
        var evaluator = PolicyEvaluator(policy: policy)
        let fleet = FleetState.steady(replicas)
        evaluations = times.map { time in
            var readings: [String: SignalReading] = [:]
            for (name, expression) in compiled {
                switch expression {
                case .success(let expression): readings[name] = QueryReading.reading(of: expression, in: window, at: time)
                case .failure(let error): readings[name] = .failed(reason: "\(error)")
                }
            }
            let observation = signalQueries.observation(from: readings, fleet: fleet)
            return evaluator.decide(observed: observation, now: Timestamp(millisecondsSinceEpoch: time))
        }
    }
}
