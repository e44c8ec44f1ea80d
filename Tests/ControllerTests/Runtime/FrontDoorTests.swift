import BallastCore
import Foundation
import Synchronization
import Testing

@testable import Controller

struct FrontDoorTests {
    static let deployment = DeploymentKey(policy: "fake", model: "fake-model")

    func door(_ backends: [FrontDoorBackend]) -> FrontDoor {
        FrontDoor(
            configuration: .init(port: 0), directory: FixedDirectory(backends: backends), logger: quietLogger())
    }

    @Test func noReadyWorkerIs503WithRetryAfter() async throws {
        let door = door([])
        try await withServers(door) {
            let base = "http://127.0.0.1:\(door.port ?? 0)"
            #expect(try await RuntimeTestSupport.get(base + "/health").status == 200)
            #expect(try await RuntimeTestSupport.get(base + "/ready").status == 503)
            let answer = try await RuntimeTestSupport.post(
                base + "/v1/chat/completions", json: #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(answer.status == 503)
            #expect(answer.headers.first { $0.0.lowercased() == "retry-after" }?.1 == "1")
            let error = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
            let body = error?["error"] as? [String: Any]
            #expect(body?["type"] as? String == "service_unavailable")
            #expect((body?["message"] as? String)?.contains("No worker for model m is ready") == true)
        }
    }

    @Test func streamsEventsAsTheyArriveAndPassesStatusAndHeaders() async throws {
        let backend = FakeBackend()
        let door = door([])
        try await withServers(door, [{ try await backend.run() }]) {
            try await RuntimeTestSupport.waitUntil("the fake backend listens") { backend.port != nil }
            let instance = "127.0.0.1:\(backend.port ?? 0)"
            let routed = FrontDoor(
                configuration: .init(port: 0),
                directory: FixedDirectory(backends: [FrontDoorBackend(instance: instance, deployment: Self.deployment)]
                ),
                logger: quietLogger())
            try await withServers(routed) {
                let base = "http://127.0.0.1:\(routed.port ?? 0)"
                #expect(try await RuntimeTestSupport.get(base + "/ready").status == 200)
                var stream = try await Stream.completion(base + "/v1/completions?x=1", model: "fake-model")
                #expect(stream.status == 200)
                #expect(stream.headers.contains { $0.0.lowercased() == "content-type" && $0.1 == "text/event-stream" })
                // The first event arrives while the backend still holds the second.
                let first = try #require(try await stream.next())
                #expect(first == "data: {\"n\":1}\n\n")
                #expect(routed.inFlight(of: instance) == 1)
                backend.open()
                #expect(try await stream.rest() == "data: {\"n\":2}\n\ndata: [DONE]\n\n")
                try await RuntimeTestSupport.waitUntil("the request is counted done") {
                    routed.inFlight(of: instance) == 0
                }
                #expect(backend.requests.withLock { $0 } == ["/v1/completions?x=1"])

                let limited = try await RuntimeTestSupport.post(
                    base + "/v1/chat/completions", json: #"{"model":"fake-model","messages":[]}"#)
                #expect(limited.status == 429)
                #expect(limited.headers.first { $0.0.lowercased() == "retry-after" }?.1 == "7")
                #expect(limited.body == #"{"error":{"message":"queue full"}}"#)
            }
        }
    }

    @Test func aRefusedConnectionIsRetriedOnAnotherWorker() async throws {
        let backend = FakeBackend()
        let door = door([])
        try await withServers(door, [{ try await backend.run() }]) {
            try await RuntimeTestSupport.waitUntil("the fake backend listens") { backend.port != nil }
            let dead = FrontDoorBackend(instance: "127.0.0.1:\(closedPort())", deployment: Self.deployment)
            let live = FrontDoorBackend(instance: "127.0.0.1:\(backend.port ?? 0)", deployment: Self.deployment)
            let routed = FrontDoor(
                configuration: .init(port: 0), directory: FixedDirectory(backends: [dead, live]), logger: quietLogger())
            try await withServers(routed) {
                // Equal loads take turns, so both requests try the dead worker at least once between them.
                for _ in 0..<2 {
                    let answer = try await RuntimeTestSupport.post(
                        "http://127.0.0.1:\(routed.port ?? 0)/v1/chat/completions", json: #"{"model":"fake-model"}"#)
                    #expect(answer.status == 429)
                }
                #expect(backend.requests.withLock { $0.count } == 2)
                #expect(routed.inFlight(of: dead.instance) == 0)
            }
            let onlyDead = FrontDoor(
                configuration: .init(port: 0), directory: FixedDirectory(backends: [dead]), logger: quietLogger())
            try await withServers(onlyDead) {
                let answer = try await RuntimeTestSupport.post(
                    "http://127.0.0.1:\(onlyDead.port ?? 0)/v1/chat/completions", json: #"{"model":"fake-model"}"#)
                #expect(answer.status == 502)
                #expect(answer.body.contains("could not be reached"))
            }
        }
    }

    @Test(arguments: [
        (#"{"prompt":"hi"}"#, 400, "names no model; set model to one of a, b."),
        (#"{"model":"c","prompt":"hi"}"#, 404, "names model c, which no worker serves; set model to one of a, b."),
    ])
    func withSeveralModelsTheRequestMustNameOne(json: String, status: Int, message: String) async throws {
        let door = door([
            FrontDoorBackend(instance: "127.0.0.1:1", deployment: DeploymentKey(policy: "a", model: "a")),
            FrontDoorBackend(instance: "127.0.0.1:2", deployment: DeploymentKey(policy: "b", model: "b")),
        ])
        try await withServers(door) {
            let answer = try await RuntimeTestSupport.post(
                "http://127.0.0.1:\(door.port ?? 0)/v1/completions", json: json)
            #expect(answer.status == status)
            #expect(answer.body.contains(message), "\(answer.body)")
        }
    }

    @Test func oversizedBodiesAre413() async throws {
        let door = FrontDoor(
            configuration: .init(port: 0, maximumRequestBytes: 100),
            directory: FixedDirectory(backends: [FrontDoorBackend(instance: "127.0.0.1:1", deployment: Self.deployment)]
            ),
            logger: quietLogger())
        try await withServers(door) {
            let answer = try await RuntimeTestSupport.post(
                "http://127.0.0.1:\(door.port ?? 0)/v1/completions", json: String(repeating: " ", count: 1000))
            #expect(answer.status == 413)
            #expect(answer.body.contains("larger than 100 bytes"))
        }
    }
}

/// The front door over real workers: requests spread over the least-loaded, answers stream through.
@Suite(
    .serialized, .enabled(if: RuntimeTestSupport.smolLM2Present, "SmolLM2 is not in the model cache; run .ci/setup."))
struct FrontDoorWorkerTests {
    @Test func spreadsConcurrentStreamsOverWorkers() async throws {
        let folder = try TemporaryFolder("frontdoor")
        let runtime = try LocalHarness.runtime(folder)
        let door = FrontDoor(configuration: .init(port: 0), directory: runtime, logger: quietLogger())
        await runtime.setLoadSource { door.inFlight(of: $0) }
        try await LocalHarness.with(runtime) { runtime, _ in
            try await withServers(door) {
                let base = "http://127.0.0.1:\(door.port ?? 0)"
                #expect(try await RuntimeTestSupport.get(base + "/ready").status == 503)
                _ = await runtime.apply(
                    DesiredState(deployment: LocalHarness.deployment, replicas: 3), now: LocalHarness.now())
                try await LocalHarness.waitForReady(runtime, 3)
                #expect(try await RuntimeTestSupport.get(base + "/ready").status == 200)

                // Overhead: the same small request straight to a worker and through the front door.
                let instance = try #require(await runtime.targets().first).instance
                let direct = try await Self.timeModels("http://\(instance)", count: 50)
                let proxied = try await Self.timeModels(base, count: 50)
                print("front door: /v1/models direct \(direct * 1000) ms, proxied \(proxied * 1000) ms per request")

                var streams: [Stream] = []
                for _ in 0..<3 {
                    var stream = try await Stream.completion(base + "/v1/completions", maxTokens: 150)
                    #expect(stream.status == 200)
                    let first = try #require(try await stream.next())
                    #expect(first.hasPrefix("data: "))
                    #expect(!first.contains("[DONE]"))
                    streams.append(stream)
                }
                let instances = await runtime.targets().map(\.instance)
                #expect(instances.map { door.inFlight(of: $0) } == [1, 1, 1])
                for index in streams.indices {
                    let rest = try await streams[index].rest()
                    #expect(rest.hasSuffix("data: [DONE]\n\n"))
                }
                try await RuntimeTestSupport.waitUntil("every stream counted done") {
                    instances.allSatisfy { door.inFlight(of: $0) == 0 }
                }
                let plain = try await RuntimeTestSupport.post(
                    base + "/v1/chat/completions",
                    json: #"{"model":"smollm2","messages":[{"role":"user","content":"Hi"}],"max_tokens":4}"#)
                #expect(plain.status == 200)
                #expect(plain.body.contains(#""object":"chat.completion""#))
            }
        }
    }

    /// Mean seconds per `GET /v1/models` at `base`, over `count` sequential requests after one warm-up.
    static func timeModels(_ base: String, count: Int) async throws -> Double {
        _ = try await RuntimeTestSupport.get(base + "/v1/models")
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<count {
            let answer = try await RuntimeTestSupport.get(base + "/v1/models")
            #expect(answer.status == 200)
        }
        return (clock.now - start).secondsValue / Double(count)
    }
}
