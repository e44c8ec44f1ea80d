import AsyncHTTPClient
import BallastCore
import Controller
import Foundation
import NIOCore
import NIOHTTP1

/// The phases of `ballast demo`, printed as they happen.
struct DemoScript: Sendable {
    let daemon: ControllerDaemon
    let store: any StateStore
    let frontDoor: FrontDoor
    let phaseTimeout: Duration
    let policy: Policy
    let started = ContinuousClock.now

    func run() async throws {
        say("controller started; waiting for the first worker (policy \(policy.name), model \(policy.target.model))")
        try await waitFor("a ready worker") { status in (status.readyReplicas >= 1) ? true : nil }
        let frontDoor = try await frontDoorURL()
        say("1 worker ready behind the front door \(frontDoor)")

        say("ramping load: 8 concurrent chat streams against a batch of 2; waiting for queue p95 > 500 ms")
        let ramp = Task { await Self.load(frontDoor, streams: 8, maxTokens: 48) }
        defer { ramp.cancel() }
        let out = try await waitForDecision("a scale-out") { $0.evaluation.scaling.desiredReplicas > $0.evaluation.scaling.currentReplicas }
        say("decision #\(out.id ?? 0): \(out.summary)")
        try await waitFor("the new worker to be ready") { status in
            status.readyReplicas >= status.desiredReplicas ? true : nil
        }
        say("now \(try await current().readyReplicas) workers ready")
        ramp.cancel()

        say("load falls to one light stream; waiting for the scale-down stabilisation window")
        let trickle = Task { await Self.load(frontDoor, streams: 1, maxTokens: 8) }
        defer { trickle.cancel() }
        let back = try await waitForDecision("a scale-in") {
            $0.evaluation.scaling.desiredReplicas < $0.evaluation.scaling.currentReplicas && ($0.id ?? 0) > (out.id ?? 0)
        }
        say("decision #\(back.id ?? 0): \(back.summary)")
        trickle.cancel()

        print("\nDecision log (oldest first; `ballast explain ID` against a running controller shows one whole):")
        for record in try await store.decisions(limit: 100, policy: policy.name, beforeID: nil).reversed() {
            print("  #\(record.id ?? 0) \(record.kind): \(record.summary)")
        }
        let actions = try await store.actions(limit: 100)
        print("Actions: " + actions.reversed().map { "\($0.request) → \($0.status.rawValue)" }.joined(separator: "; "))
    }

    private func say(_ line: String) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        FileHandle.standardOutput.write(Data((String(format: "[%5.1fs] ", seconds) + line + "\n").utf8))
    }

    /// The front door's address once it listens (it binds a port the kernel picks).
    private func frontDoorURL() async throws -> String {
        let deadline = ContinuousClock.now + phaseTimeout
        while ContinuousClock.now < deadline {
            if let port = self.frontDoor.port { return "http://127.0.0.1:\(port)" }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DemoFailure("The front door did not start listening within \(phaseTimeout).")
    }

    private func current() async throws -> ControllerStatus.Deployment {
        guard let deployment = await daemon.status(now: ControllerClock.now()).deployments.first else {
            throw DemoFailure("The controller manages no deployment.")
        }
        return deployment
    }

    private func waitFor(_ what: String, _ condition: (ControllerStatus.Deployment) -> Bool?) async throws {
        let deadline = ContinuousClock.now + phaseTimeout
        while ContinuousClock.now < deadline {
            if condition(try await current()) != nil { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw DemoFailure(
            "Waited \(phaseTimeout) for \(what) without success; see the worker logs under the --state folder.")
    }

    private func waitForDecision(_ what: String, _ matches: (DecisionRecord) -> Bool) async throws -> DecisionRecord {
        let deadline = ContinuousClock.now + phaseTimeout
        while ContinuousClock.now < deadline {
            let decisions = try await store.decisions(limit: 50, policy: policy.name, beforeID: nil)
            if let found = decisions.reversed().first(where: { $0.kind == "scale" && matches($0) }) { return found }
            try await Task.sleep(for: .milliseconds(250))
        }
        let last = try await store.decisions(limit: 1, policy: policy.name, beforeID: nil).first
        throw DemoFailure(
            "Waited \(phaseTimeout) for \(what) without one; the last decision was: \(last?.summary ?? "none").")
    }

    /// Keeps `streams` chat requests in flight through the front door until cancelled.
    static func load(_ base: String, streams: Int, maxTokens: Int) async {
        await withTaskGroup(of: Void.self) { group in
            for stream in 0..<streams {
                group.addTask {
                    var index = 0
                    while !Task.isCancelled {
                        index += 1
                        var request = HTTPClientRequest(url: base + "/v1/chat/completions")
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(
                            ByteBuffer(
                                string: """
                                    {"model":"smollm2-135m","max_tokens":\(maxTokens),"messages":[{"role":"user",\
                                    "content":"Tell me about harbour \(stream)-\(index)."}]}
                                    """))
                        if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(120)) {
                            _ = try? await response.body.collect(upTo: 1 << 20)
                        } else {
                            try? await Task.sleep(for: .milliseconds(200))
                        }
                    }
                }
            }
        }
    }
}

/// Why the demo stopped early.
struct DemoFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
