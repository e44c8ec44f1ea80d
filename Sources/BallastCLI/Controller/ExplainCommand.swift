import ArgumentParser
import BallastCore
import Controller
import Foundation

/// `ballast explain [ID]`: why the controller decided what it did.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a running controller's decisions: every signal, rule, formula and step.",
        discussion: """
            Without an ID, lists the newest decisions, oldest first, one line each. With an ID, shows that \
            decision whole: the signal readings it saw, each rule's status, the scaling formula and every step \
            that changed the count (stabilisation, rate limits, bounds, panic, scale-down safety).
            """
    )

    @Argument(help: "A decision id from `ballast status` or the list; omit it to list decisions.")
    var decision: Int64?

    @Option(help: "The controller's address.")
    var controller: String = ControllerClient.defaultURL

    @Option(help: "Decisions to list, 1 to 1000.")
    var limit: Int = 30

    @Option(help: "List only the decisions of this policy.")
    var policy: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000; \(limit) was given.") }
    }

    func run() async throws {
        let client = ControllerClient(base: controller)
        if let decision {
            let record = try await client.get("/api/v1/decisions/\(decision)", as: DecisionRecord.self)
            print(json ? try JSONOutput.line(record) : Self.text(record), terminator: json ? "\n" : "")
        } else {
            var path = "/api/v1/decisions?limit=\(limit)"
            if let policy {
                path += "&policy=" + (policy.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? policy)
            }
            let records = try await client.get(path, as: [DecisionRecord].self)
            if json {
                print(try JSONOutput.line(records))
            } else if records.isEmpty {
                print("No decisions yet; the controller records one when a rule changes state or acts.")
            } else {
                for record in records.reversed() {
                    print("#\(record.id ?? 0) \(Self.clock(record.time)) \(record.deployment.policy) \(record.summary)")
                }
            }
        }
    }

    /// One decision for people.
    static func text(_ record: DecisionRecord) -> String {
        let e = record.evaluation
        var out = "Decision #\(record.id ?? 0) at \(clock(record.time)) for \(record.deployment)\n"
        out += "  \(record.kind)\(record.rule.map { " by rule \($0)" } ?? ""): \(record.summary)\n"
        out += "signals:\n"
        for signal in e.signals {
            out += "  \(signal.name) = \(reading(signal.reading))"
            if let formula = signal.formula { out += "  (\(formula))" }
            out += "\n"
        }
        out += "rules:\n"
        for rule in e.rules {
            out += "  \(rule.rule) (\(rule.action)): \(rule.status.name) — \(rule.condition)"
            if let note = rule.note { out += " — \(note)" }
            out += "\n"
        }
        let s = e.scaling
        out += "scaling: \(s.currentReplicas) → \(s.desiredReplicas)\n"
        for r in s.recommendations {
            out += "  \(r.rule): \(r.status.name), \(r.formula)"
            if let note = r.note { out += " — \(note)" }
            out += "\n"
        }
        for step in s.steps {
            out += "  step \(step.kind.rawValue): \(step.from) → \(step.to): \(step.detail)\n"
        }
        if let panic = s.panic, panic.active || panic.triggered {
            out += "  panic: active\(panic.until.map { " until \(clock($0))" } ?? "")\n"
        }
        for action in e.actions {
            out += "action: \(action.summary)\n"
        }
        return out
    }

    /// A reading as text: the number, or why there is none.
    static func reading(_ reading: SignalReading) -> String {
        if let number = reading.number { return NumberText.format(number) }
        return reading.problem ?? "unknown"
    }

    /// A timestamp as UTC wall-clock time with milliseconds.
    static func clock(_ time: Timestamp) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(time.millisecondsSinceEpoch) / 1000))
    }
}
