import BallastCore
import BallastTesting
import Testing

struct RuleTrackerTests {
    /// One tick of input and the status expected after it.
    enum Input: Sendable { case breached, clear, unknown }
    enum Status: Equatable, Sendable { case inactive, pending(remainingSeconds: Int64), firing, held, coolingDown }

    static func status(_ status: RuleStatus) -> Status {
        switch status {
        case .inactive: .inactive
        case .pending(_, let remaining): .pending(remainingSeconds: remaining.wholeMilliseconds / 1000)
        case .firing: .firing
        case .held: .held
        case .coolingDown: .coolingDown
        }
    }

    struct Script: Sendable, CustomStringConvertible {
        var name: String
        var forSeconds: Int64
        var cooldownSeconds: Int64
        /// One tick every 10 s: input, expected status, whether the action is due.
        var ticks: [(Input, Status, Bool)]
        var description: String { name }
    }

    @Test(arguments: [
        Script(
            name: "fires once held for 30 s", forSeconds: 30, cooldownSeconds: 0,
            ticks: [
                (.breached, .pending(remainingSeconds: 30), false),
                (.breached, .pending(remainingSeconds: 20), false),
                (.breached, .pending(remainingSeconds: 10), false),
                (.breached, .firing, true),
                (.breached, .firing, false),
            ]),
        Script(
            name: "a clear tick resets the timer", forSeconds: 20, cooldownSeconds: 0,
            ticks: [
                (.breached, .pending(remainingSeconds: 20), false),
                (.breached, .pending(remainingSeconds: 10), false),
                (.clear, .inactive, false),
                (.breached, .pending(remainingSeconds: 20), false),
                (.breached, .pending(remainingSeconds: 10), false),
                (.breached, .firing, true),
            ]),
        Script(
            name: "a missing reading neither starts nor resets the timer", forSeconds: 30, cooldownSeconds: 0,
            ticks: [
                (.unknown, .held, false),
                (.breached, .pending(remainingSeconds: 30), false),
                (.unknown, .held, false),
                (.unknown, .held, false),
                (.breached, .firing, true),
                (.unknown, .held, false),
                (.breached, .firing, false),
            ]),
        Script(
            name: "once per episode without cooldown", forSeconds: 0, cooldownSeconds: 0,
            ticks: [
                (.breached, .firing, true),
                (.breached, .firing, false),
                (.clear, .inactive, false),
                (.breached, .firing, true),
            ]),
        Script(
            name: "cooldown quiets, then re-arms while still breached", forSeconds: 0, cooldownSeconds: 25,
            ticks: [
                (.breached, .firing, true),
                (.breached, .coolingDown, false),
                (.clear, .coolingDown, false),
                (.breached, .firing, true),
                (.clear, .coolingDown, false),
                (.clear, .coolingDown, false),
                (.clear, .inactive, false),
            ]),
    ])
    func followsTheScript(_ script: Script) {
        var tracker = RuleTracker()
        var clock = ManualClock()
        for (index, (input, expected, due)) in script.ticks.enumerated() {
            let outcome: ConditionOutcome
            switch input {
            case .breached: outcome = .breached
            case .clear: outcome = .clear
            case .unknown: outcome = .unknown(reason: "x is missing")
            }
            let step = tracker.advance(outcome: outcome, forDuration: .seconds(script.forSeconds), now: clock.now)
            #expect(Self.status(step.status) == expected, "tick \(index)")
            #expect(step.actionDue == due, "tick \(index)")
            if step.actionDue { tracker.recordAction(at: clock.now, cooldown: .seconds(script.cooldownSeconds)) }
            clock.advance(by: .seconds(10))
        }
    }

    @Test func heldSaysWhyAndWhatItKeeps() {
        var tracker = RuleTracker()
        let start = ManualClock().now
        _ = tracker.advance(outcome: .breached, forDuration: .seconds(60), now: start)
        let step = tracker.advance(
            outcome: .unknown(reason: "queue_p95 is missing: no series"), forDuration: .seconds(60),
            now: start + .seconds(5))
        #expect(
            step.status
                == .held(
                    reason: "queue_p95 is missing: no series; the rule holds its last state (pending since \(start))"))
        #expect(tracker.breachedSince == start)
    }

    @Test func pendingReportsSinceAndRemaining() {
        var tracker = RuleTracker()
        let start = ManualClock().now
        _ = tracker.advance(outcome: .breached, forDuration: .seconds(30), now: start)
        let step = tracker.advance(outcome: .breached, forDuration: .seconds(30), now: start + .milliseconds(12_500))
        #expect(step.status == .pending(since: start, remaining: .milliseconds(17_500)))
    }
}
