import BallastCore
import Foundation
import Testing

/// The JSON forms the CLI prints with `--json` and the store persists.
struct CodableTests {
    @Test(arguments: [
        (SignalReading.value(0.84), #"{"value":0.84}"#),
        (.value(.infinity), #"{"value":"+Inf"}"#),
        (.value(-.infinity), #"{"value":"-Inf"}"#),
        (.missing(reason: "no series"), #"{"missing":"no series"}"#),
        (.stale(since: Timestamp(millisecondsSinceEpoch: 5)), #"{"staleSince":5}"#),
        (.failed(reason: "timeout"), #"{"failed":"timeout"}"#),
    ])
    func signalReadingsRoundTrip(reading: SignalReading, json: String) throws {
        let data = try JSONEncoder().encode(reading)
        #expect(String(decoding: data, as: UTF8.self) == json)
        #expect(try JSONDecoder().decode(SignalReading.self, from: data) == reading)
    }

    @Test func nanTravelsAsText() throws {
        let data = try JSONEncoder().encode(SignalReading.value(.nan))
        #expect(String(decoding: data, as: UTF8.self) == #"{"value":"NaN"}"#)
        let back = try JSONDecoder().decode(SignalReading.self, from: data)
        #expect(back.number?.isNaN == true)
    }

    @Test(arguments: [
        (#"{"value":"lots"}"#, #"The value "lots" is not a number; write a number, "+Inf", "-Inf" or "NaN"."#),
        (#"{}"#, "A signal reading needs one of the keys value, missing, staleSince or failed."),
    ])
    func badReadingsSayWhatToWrite(json: String, message: String) {
        #expect {
            try JSONDecoder().decode(SignalReading.self, from: Data(json.utf8))
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription == message
        }
    }

    @Test(arguments: [
        (RuleStatus.inactive, #"{"state":"inactive"}"#),
        (.firing, #"{"state":"firing"}"#),
        (
            .pending(since: Timestamp(millisecondsSinceEpoch: 1_000), remaining: .milliseconds(2_500)),
            #"{"remainingMilliseconds":2500,"since":1000,"state":"pending"}"#
        ),
        (.held(reason: "x is missing"), #"{"reason":"x is missing","state":"held"}"#),
        (.coolingDown(until: Timestamp(millisecondsSinceEpoch: 9)), #"{"state":"coolingDown","until":9}"#),
    ])
    func ruleStatusesRoundTrip(status: RuleStatus, json: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(status)
        #expect(String(decoding: data, as: UTF8.self) == json)
        #expect(try JSONDecoder().decode(RuleStatus.self, from: data) == status)
    }

    @Test func unknownRuleStateNamesTheChoices() {
        #expect {
            try JSONDecoder().decode(RuleStatus.self, from: Data(#"{"state":"asleep"}"#.utf8))
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription
                == #"Unknown rule state "asleep"; expected inactive, pending, firing, held or coolingDown."#
        }
    }

    @Test func observationsRoundTrip() throws {
        let observation = Observation(
            readings: ["a": .value(1), "b": .stale(since: .epoch)],
            shortWindow: ["a": .value(3)],
            fleet: FleetState(
                desiredReplicas: 3, readyReplicas: 2, startingSince: [Timestamp(millisecondsSinceEpoch: 7)], shards: 2),
            throughput: Throughput(requestsPerSecond: .value(4), tokensPerSecond: .failed(reason: "x"))
        )
        let data = try JSONEncoder().encode(observation)
        #expect(try JSONDecoder().decode(Observation.self, from: data) == observation)
    }

    @Test(arguments: [
        (2.0, "2"), (0.84, "0.84"), (1.0 / 3.0, "0.3333"), (123.456, "123.5"), (-4.0, "-4"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (1e-9, "1e-09"),
    ])
    func numbersReadAsWritten(value: Double, text: String) {
        #expect(NumberText.format(value) == text)
    }
}
