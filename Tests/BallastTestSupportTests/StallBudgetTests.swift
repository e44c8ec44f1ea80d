import Testing

@testable import BallastTestSupport

/// A wait's deadline is its timeout plus the lateness of its wake-ups, capped, so a busy concurrency pool does
/// not fail a test while a hung condition still fails.
struct StallBudgetTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var timeout: Duration
        var maximumStall: Duration
        var latenesses: [Duration]
        var elapsed: Duration
        var goesOn: Bool
        var testDescription: String { "\(latenesses) late, \(elapsed) in, timeout \(timeout): \(goesOn)" }
    }

    static let cases: [Case] = [
        Case(timeout: .seconds(30), maximumStall: .seconds(300), latenesses: [], elapsed: .seconds(29), goesOn: true),
        Case(timeout: .seconds(30), maximumStall: .seconds(300), latenesses: [], elapsed: .seconds(30), goesOn: false),
        // A pool busy for 50 s: the wait that would have ended at 30 s goes on to 80 s.
        Case(timeout: .seconds(30), maximumStall: .seconds(300), latenesses: [.seconds(50)], elapsed: .seconds(79), goesOn: true),
        Case(timeout: .seconds(30), maximumStall: .seconds(300), latenesses: [.seconds(50)], elapsed: .seconds(80), goesOn: false),
        // Many small delays add up.
        Case(
            timeout: .seconds(1), maximumStall: .seconds(300), latenesses: Array(repeating: .milliseconds(100), count: 10),
            elapsed: .milliseconds(1_900), goesOn: true),
        // Early wake-ups (negative lateness) take nothing away.
        Case(timeout: .seconds(1), maximumStall: .seconds(300), latenesses: [.milliseconds(-5)], elapsed: .milliseconds(999), goesOn: true),
        // The cap keeps a wait bounded however late its wake-ups.
        Case(timeout: .seconds(30), maximumStall: .seconds(60), latenesses: [.seconds(50), .seconds(50)], elapsed: .seconds(89), goesOn: true),
        Case(timeout: .seconds(30), maximumStall: .seconds(60), latenesses: [.seconds(50), .seconds(50)], elapsed: .seconds(90), goesOn: false),
    ]

    @Test(arguments: cases)
    func deadlineIsTheTimeoutPlusForgivenLateness(_ c: Case) {
        let start = ContinuousClock.now
        var budget = StallBudget(timeout: c.timeout, maximumStall: c.maximumStall, start: start)
        for lateness in c.latenesses { budget.forgive(lateness: lateness) }
        #expect(budget.hasTimeLeft(at: start + c.elapsed) == c.goesOn)
    }

    @Test func aConditionThatNeverHoldsTimesOutNamingIt() async {
        await #expect(throws: WaitTimeout.self) {
            try await waitUntil("a condition that never holds", timeout: .milliseconds(100)) { false }
        }
        do {
            try await waitUntil("a condition that never holds", timeout: .milliseconds(50)) { false }
        } catch {
            #expect("\(error)".contains("waiting for a condition that never holds"))
        }
    }

    @Test func aValueIsReturnedOnceProduced() async throws {
        var polls = 0
        let value = try await waitForValue("the third poll", timeout: .seconds(60), poll: .milliseconds(1)) {
            polls += 1
            return polls >= 3 ? polls : nil
        }
        #expect(value == 3)
    }
}
