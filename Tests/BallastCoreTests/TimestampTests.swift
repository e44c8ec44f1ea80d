import BallastCore
import BallastTesting
import Foundation
import Testing

struct TimestampTests {
    @Test(arguments: [
        (Int64(1_000), Duration.seconds(1), Int64(2_000)),
        (Int64(0), Duration.milliseconds(1500), Int64(1_500)),
        (Int64(5_000), Duration.seconds(-2), Int64(3_000)),
        (Int64(0), Duration.nanoseconds(999_999), Int64(0)),
        (Int64.max - 1, Duration.seconds(10), Int64.max),
        (Int64.min + 1, Duration.seconds(-10), Int64.min),
    ])
    func addsDurationsSaturating(start: Int64, duration: Duration, expected: Int64) {
        #expect((Timestamp(millisecondsSinceEpoch: start) + duration).millisecondsSinceEpoch == expected)
    }

    @Test func subtractsTimestampsAndDurations() {
        let a = Timestamp(secondsSinceEpoch: 100)
        let b = Timestamp(secondsSinceEpoch: 130)
        #expect(b - a == .seconds(30))
        #expect(a - b == .seconds(-30))
        #expect((b - .seconds(30)) == a)
        #expect(a < b)
        #expect(Timestamp(secondsSinceEpoch: Int64.max).millisecondsSinceEpoch == Int64.max)
    }

    @Test(arguments: [
        (Duration.seconds(90), Int64(90_000)),
        (Duration.milliseconds(-250), Int64(-250)),
        (Duration.seconds(Int64.max), Int64.max),
    ])
    func convertsDurationsToMilliseconds(duration: Duration, milliseconds: Int64) {
        #expect(duration.wholeMilliseconds == milliseconds)
    }

    @Test func encodesAsBareMilliseconds() throws {
        let data = try JSONEncoder().encode([Timestamp(millisecondsSinceEpoch: 1_700_000_000_123)])
        #expect(String(decoding: data, as: UTF8.self) == "[1700000000123]")
        let back = try JSONDecoder().decode([Timestamp].self, from: data)
        #expect(back == [Timestamp(millisecondsSinceEpoch: 1_700_000_000_123)])
    }

    @Test func manualClockAdvancesByHand() {
        var clock = ManualClock(start: .epoch)
        clock.advance(by: .seconds(15))
        let later = clock.advance(by: .milliseconds(500))
        #expect(later == Timestamp(millisecondsSinceEpoch: 15_500))
        #expect(clock.now == later)
    }
}
