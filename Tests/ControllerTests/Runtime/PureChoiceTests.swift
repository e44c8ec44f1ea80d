import BallastCore
import Testing

@testable import Controller

struct LeastLoadedChoiceTests {
    static let cases: [(inFlight: [Int], excluded: Set<Int>, rotation: Int, expected: Int)] = [
        ([0, 0, 0], Set<Int>(), 0, 0),
        ([0, 0, 0], Set<Int>(), 1, 1),
        ([0, 0, 0], Set<Int>(), 5, 2),
        ([2, 1, 3], Set<Int>(), 0, 1),
        ([2, 1, 1], Set<Int>(), 1, 2),
        ([2, 1, 1], Set([1, 2]), 0, 0),
        ([0, 5], Set([0]), 7, 1),
        ([4], Set<Int>(), -3, 0),
    ]

    @Test(arguments: cases)
    func picksTheLeastLoaded(_ row: (inFlight: [Int], excluded: Set<Int>, rotation: Int, expected: Int)) {
        #expect(
            LeastLoadedChoice.choose(inFlight: row.inFlight, excluding: row.excluded, rotation: row.rotation)
                == row.expected)
    }

    @Test(arguments: [([Int](), Set<Int>()), ([1, 2], Set([0, 1]))])
    func nothingLeftIsNil(inFlight: [Int], excluded: Set<Int>) {
        #expect(LeastLoadedChoice.choose(inFlight: inFlight, excluding: excluded) == nil)
    }
}

struct WorkerRemovalChoiceTests {
    typealias Candidate = WorkerRemovalChoice.Candidate

    static let starting = Candidate(pid: 10, ready: false, startedAtMilliseconds: 1_000)
    static let oldIdle = Candidate(pid: 11, ready: true, startedAtMilliseconds: 100)
    static let newIdle = Candidate(pid: 12, ready: true, startedAtMilliseconds: 500)
    static let busy = Candidate(pid: 13, ready: true, inFlight: 3, startedAtMilliseconds: 900)

    @Test(arguments: [
        (1, [Int32(10)]),
        (2, [10, 12]),
        (3, [10, 12, 11]),
        (4, [10, 12, 11, 13]),
        (9, [10, 12, 11, 13]),
        (0, []),
        (-1, []),
    ])
    func startingThenLeastLoadedThenNewest(count: Int, expected: [Int32]) {
        let candidates = [Self.busy, Self.oldIdle, Self.starting, Self.newIdle]
        #expect(WorkerRemovalChoice.victims(from: candidates, count: count) == expected)
    }
}

struct RestartBackoffTests {
    @Test(arguments: [(0, 0), (1, 1_000), (2, 2_000), (3, 4_000), (5, 16_000), (6, 30_000), (100, 30_000)])
    func doublesUpToTheMaximum(failures: Int, milliseconds: Int64) {
        #expect(RestartBackoff().delay(afterFailures: failures) == .milliseconds(milliseconds))
    }

    @Test func aSmallMaximumWins() {
        let backoff = RestartBackoff(initial: .milliseconds(100), maximum: .milliseconds(250))
        #expect(backoff.delay(afterFailures: 3) == .milliseconds(250))
    }
}

struct ListeningAddressTests {
    @Test(arguments: [
        (
            "2026-11-23T11:00:00+0000 info ballast.worker : address=http://127.0.0.1:41234 kv_pages=96 model=smollm2 "
                + "version=v1 [Worker] listening\n", 41234 as Int?
        ),
        ("address=http://[::1]:8080 x", 8080),
        ("loading\naddress=http://127.0.0.1:1\n", 1),
        ("", nil),
        ("loading the model", nil),
        ("address=http://127.0.0.1:0 x", nil),
        ("address=http://127.0.0.1:99999 x", nil),
        ("address=http://127.0.0.1: x", nil),
        ("address=http://127.0.0.1:12ab", nil),
    ])
    func findsThePort(log: String, port: Int?) {
        #expect(ListeningAddress.port(in: log) == port)
    }
}

struct BackendChoiceTests {
    static let a1 = FrontDoorBackend(instance: "127.0.0.1:1", deployment: DeploymentKey(policy: "a", model: "m-a"))
    static let a2 = FrontDoorBackend(instance: "127.0.0.1:2", deployment: DeploymentKey(policy: "a", model: "m-a"))
    static let b1 = FrontDoorBackend(instance: "127.0.0.1:3", deployment: DeploymentKey(policy: "b", model: "m-b"))

    @Test(arguments: [
        ([a1, a2, b1], "m-a" as String?, [a1, a2]),
        ([a1, a2, b1], "m-b", [b1]),
        ([a1, a2, b1], nil, []),
        ([a1, a2, b1], "other", []),
        ([a1, a2], nil, [a1, a2]),
        ([a1, a2], "other", [a1, a2]),
        ([], "m-a", []),
    ])
    func routesByModel(backends: [FrontDoorBackend], model: String?, expected: [FrontDoorBackend]) {
        #expect(BackendChoice.candidates(backends, model: model) == expected)
    }
}

struct BoundedTextTests {
    @Test(arguments: [(10, "hello", "hello"), (3, "hello", "hel… (cut 2 bytes)"), (0, "hi", "… (cut 2 bytes)")])
    func cutsAtTheLimit(limit: Int, input: String, expected: String) {
        var text = BoundedText(limit: limit)
        Array(input.utf8).withUnsafeBytes { text.append($0) }
        #expect(text.text == expected)
    }
}
