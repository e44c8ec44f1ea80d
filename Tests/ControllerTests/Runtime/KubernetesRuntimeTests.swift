import BallastCore
import BallastTesting
import Foundation
import Testing

@testable import Controller

struct KubernetesRuntimeTests {
    static let key = DeploymentKey(policy: "r1-7b", model: "r1-7b", version: "v1")

    /// A GPU fleet of 1 to 10 replicas, two GPUs each, in namespace `inference`.
    static var policy: Policy {
        Policy(
            name: "r1-7b", target: Target(model: "r1-7b", version: "v1", minReplicas: 1, maxReplicas: 10),
            deployment: DeploymentSettings(
                namespace: "inference", image: "ballast/worker:v1", gpusPerReplica: 2,
                gpuUtilizationMetric: "DCGM_FI_DEV_GPU_UTIL"))
    }

    static func applyArguments(_ verb: String, folder: String, kubectl: String = "kubectl") -> [String] {
        [
            kubectl, verb, "--server-side", "--field-manager=ballast", "--force-conflicts", "-n", "inference", "-f",
            folder,
        ]
    }

    func runtime(
        _ folder: TemporaryFolder, runner: any CommandRunning, dryRun: Bool = false, kubectl: String = "kubectl"
    )
        -> KubernetesRuntime
    {
        KubernetesRuntime(
            configuration: .init(kubectl: kubectl, manifestDirectory: folder.path, dryRun: dryRun),
            policies: [Self.policy], runner: runner)
    }

    @Test func rendersOneFilePerObjectWithoutAutoscalerAndApplies() async throws {
        let folder = try TemporaryFolder("k8s")
        let runner = ScriptedCommandRunner(responses: [.init(prefix: ["kubectl", "apply"], stdout: "applied\n")])
        let runtime = runtime(folder, runner: runner)
        let outcome = await runtime.apply(DesiredState(deployment: Self.key, replicas: 3, shards: 2), now: .epoch)
        let manifests = folder.file("r1-7b")
        #expect(outcome.succeeded, "\(outcome.summary)")
        #expect(await runner.calls == [Self.applyArguments("apply", folder: manifests)])
        #expect(outcome.commands.map(\.arguments) == [Self.applyArguments("apply", folder: manifests)])
        #expect(outcome.summary.contains("3 replicas × 2 shards (4 GPUs per pod)"))
        let files = try FileManager.default.contentsOfDirectory(atPath: manifests).sorted()
        #expect(
            files == [
                "r1-7b-deployment.yaml", "r1-7b-pdb.yaml", "r1-7b-prometheusrule.yaml", "r1-7b-service.yaml",
                "r1-7b-servicemonitor.yaml",
            ])
        let deployment = try String(contentsOfFile: manifests + "/r1-7b-deployment.yaml", encoding: .utf8)
        #expect(deployment.contains("\n  replicas: 3\n"))
        #expect(deployment.contains("nvidia.com/gpu: \"4\"\n"))
        #expect(deployment.contains("- --tensor-parallel\n            - \"2\"\n"))

        // Scaling down rewrites the same files with the new count; the render is deterministic.
        _ = await runtime.apply(DesiredState(deployment: Self.key, replicas: 1, shards: 2), now: .epoch)
        let scaled = try String(contentsOfFile: manifests + "/r1-7b-deployment.yaml", encoding: .utf8)
        #expect(scaled == deployment.replacingOccurrences(of: "\n  replicas: 3\n", with: "\n  replicas: 1\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: manifests).sorted() == files)
    }

    @Test func dryRunRunsDiffAndReportsTheDifferences() async throws {
        let folder = try TemporaryFolder("k8s")
        let diff = "-  replicas: 1\n+  replicas: 3\n"
        let runner = ScriptedCommandRunner(responses: [.init(prefix: ["kubectl", "diff"], exitCode: 1, stdout: diff)])
        let outcome = await runtime(folder, runner: runner, dryRun: true).apply(
            DesiredState(deployment: Self.key, replicas: 3), now: .epoch)
        #expect(outcome.succeeded)
        #expect(outcome.summary.contains("would change:\n" + diff))
        #expect(await runner.calls == [Self.applyArguments("diff", folder: folder.file("r1-7b"))])

        await runner.setResponses([.init(prefix: ["kubectl", "diff"], exitCode: 0)])
        let same = await runtime(folder, runner: runner, dryRun: true).apply(
            DesiredState(deployment: Self.key, replicas: 3), now: .epoch)
        #expect(same.succeeded)
        #expect(same.summary.contains("already matches"))
    }

    @Test(arguments: [
        ("apply", false, Int32(1), "error: the server doesn't have a resource type \"deployments\""),
        ("diff", true, Int32(2), "error: unable to connect to the server"),
    ])
    func kubectlFailingFailsTheOutcomeWithItsStandardError(verb: String, dryRun: Bool, code: Int32, stderr: String)
        async throws
    {
        let folder = try TemporaryFolder("k8s")
        let runner = ScriptedCommandRunner(responses: [
            .init(prefix: ["kubectl", verb], exitCode: code, stderr: stderr)
        ])
        let runtime = runtime(folder, runner: runner, dryRun: dryRun)
        let outcome = await runtime.apply(DesiredState(deployment: Self.key, replicas: 2), now: .epoch)
        #expect(!outcome.succeeded)
        #expect(outcome.summary.contains("kubectl \(verb) exited with \(code): \(stderr)"))
        #expect(outcome.commands.first?.stderr == stderr)
        var events = runtime.events.makeAsyncIterator()
        #expect(await events.next()?.kind == .kubectlFailed)
    }

    @Test func aMissingKubectlFailsTheOutcome() async throws {
        let folder = try TemporaryFolder("k8s")
        let runtime = runtime(folder, runner: SubprocessCommandRunner(), kubectl: "/nonexistent/kubectl")
        let outcome = await runtime.apply(DesiredState(deployment: Self.key, replicas: 2), now: .epoch)
        #expect(!outcome.succeeded)
        #expect(outcome.summary.contains("kubectl apply could not be started"))
        #expect(outcome.commands.first?.exitCode == nil)
    }

    @Test(arguments: [
        (DesiredState(deployment: key, replicas: 20), "replicas"),
        (DesiredState(deployment: key, replicas: -1), "replicas (-1) must be at least 0"),
        (DesiredState(deployment: key, replicas: 2, shards: 0), "shards (0)"),
        (DesiredState(deployment: DeploymentKey(policy: "other", model: "m"), replicas: 1), "No policy named other"),
    ])
    func badDesiredStatesFailWithoutRunningKubectl(desired: DesiredState, message: String) async throws {
        let folder = try TemporaryFolder("k8s")
        let runner = ScriptedCommandRunner(responses: [.init(prefix: ["kubectl"])])
        let outcome = await runtime(folder, runner: runner).apply(desired, now: .epoch)
        #expect(!outcome.succeeded)
        #expect(outcome.summary.contains(message), "\(outcome.summary)")
        #expect(await runner.calls.isEmpty)
    }

    @Test func fleetReadsTheDeploymentAndKeepsTheLastOneWhenKubectlFails() async throws {
        let folder = try TemporaryFolder("k8s")
        let get = ["kubectl", "get", "deployment", "r1-7b", "-n", "inference", "-o", "json"]
        let runner = ScriptedCommandRunner(responses: [
            .init(prefix: get, stdout: #"{"spec":{"replicas":3},"status":{"replicas":3,"readyReplicas":1}}"#)
        ])
        let runtime = runtime(folder, runner: runner)
        var clock = ManualClock()
        let first = clock.now
        #expect(
            await runtime.fleet(of: Self.key, now: first)
                == FleetState(desiredReplicas: 3, readyReplicas: 1, startingSince: [first, first]))
        #expect(await runner.calls == [get])

        await runner.setResponses([
            .init(prefix: get, stdout: #"{"spec":{"replicas":4},"status":{"replicas":4,"readyReplicas":1}}"#)
        ])
        let second = clock.advance(by: .seconds(10))
        // A third pod starts: the two seen before keep their first sighting.
        #expect(
            await runtime.fleet(of: Self.key, now: second)
                == FleetState(desiredReplicas: 4, readyReplicas: 1, startingSince: [first, first, second]))

        await runner.setResponses([.init(prefix: get, exitCode: 1, stderr: "Unable to connect to the server")])
        let third = clock.advance(by: .seconds(10))
        #expect(
            await runtime.fleet(of: Self.key, now: third)
                == FleetState(desiredReplicas: 4, readyReplicas: 1, startingSince: [first, first, second]))
        var events = runtime.events.makeAsyncIterator()
        let event = await events.next()
        #expect(event?.kind == .kubectlFailed)
        #expect(event?.message.contains("Unable to connect to the server") == true)

        await runner.setResponses([.init(prefix: get, stdout: "not json")])
        #expect(await runtime.fleet(of: Self.key, now: third).desiredReplicas == 4)

        // Two become ready: the oldest sightings go first, as the oldest pods are the likeliest to be ready.
        await runner.setResponses([
            .init(prefix: get, stdout: #"{"spec":{"replicas":4},"status":{"replicas":4,"readyReplicas":3}}"#)
        ])
        #expect(
            await runtime.fleet(of: Self.key, now: third)
                == FleetState(desiredReplicas: 4, readyReplicas: 3, startingSince: [second]))
    }

    @Test func fleetOfAnUnreadDeploymentIsEmptyWhenKubectlFails() async throws {
        let folder = try TemporaryFolder("k8s")
        let runtime = runtime(folder, runner: ScriptedCommandRunner())
        #expect(await runtime.fleet(of: Self.key, now: .epoch) == FleetState(desiredReplicas: 0, readyReplicas: 0))
    }

    @Test func endpointIsTheService() async throws {
        let folder = try TemporaryFolder("k8s")
        let runtime = runtime(folder, runner: ScriptedCommandRunner())
        #expect(await runtime.endpoint(of: Self.key) == "http://r1-7b.inference.svc:8080")
        #expect(await runtime.endpoint(of: DeploymentKey(policy: "other", model: "m")) == nil)
    }

    /// A real `kubectl` stand-in: a shell script that writes its arguments to a file and exits 0, or 1 for diff.
    @Test func runsARealProgramAsKubectl() async throws {
        let folder = try TemporaryFolder("k8s-script")
        let script = folder.file("kubectl")
        let argv = folder.file("argv.txt")
        try """
        #!/bin/sh
        printf '%s\\n' "$@" > "\(argv)"
        if [ "$1" = diff ]; then echo "+  replicas: 3"; exit 1; fi
        echo "deployment.apps/r1-7b serverside-applied"
        """.write(toFile: script, atomically: true, encoding: .utf8)
        #expect(chmod(script, 0o755) == 0)
        let manifests = folder.file("manifests")
        let apply = KubernetesRuntime(
            configuration: .init(kubectl: script, manifestDirectory: manifests), policies: [Self.policy],
            runner: SubprocessCommandRunner())
        let outcome = await apply.apply(DesiredState(deployment: Self.key, replicas: 3), now: .epoch)
        #expect(outcome.succeeded, "\(outcome.summary)")
        #expect(outcome.commands.first?.stdout == "deployment.apps/r1-7b serverside-applied\n")
        let expected = Self.applyArguments("apply", folder: manifests + "/r1-7b", kubectl: script).dropFirst()
        #expect(try String(contentsOfFile: argv, encoding: .utf8) == expected.joined(separator: "\n") + "\n")

        let diff = KubernetesRuntime(
            configuration: .init(kubectl: script, manifestDirectory: manifests, dryRun: true), policies: [Self.policy],
            runner: SubprocessCommandRunner())
        let dry = await diff.apply(DesiredState(deployment: Self.key, replicas: 3), now: .epoch)
        #expect(dry.succeeded)
        #expect(dry.summary.contains("+  replicas: 3"))
        #expect(try String(contentsOfFile: argv, encoding: .utf8).hasPrefix("diff\n"))
    }

    /// The built-in objects written to the folder pass kubernetes-validate's schema checks.
    @Test func renderedFolderPassesKubernetesValidate() async throws {
        let folder = try TemporaryFolder("k8s-validate")
        let runner = ScriptedCommandRunner(responses: [.init(prefix: ["kubectl", "apply"])])
        _ = await runtime(folder, runner: runner).apply(
            DesiredState(deployment: Self.key, replicas: 3, shards: 2), now: .epoch)
        let files = ["r1-7b-deployment.yaml", "r1-7b-service.yaml", "r1-7b-pdb.yaml"].map { folder.file("r1-7b/" + $0) }
        let record = await SubprocessCommandRunner().run(
            ["kubernetes-validate", "--strict", "-k", "1.30.0"] + files, input: nil, timeout: .seconds(120))
        #expect(
            record.exitCode == 0, "kubernetes-validate (install it with .ci/setup): \(record.stdout)\(record.stderr)")
        for file in files { #expect(record.stdout.contains(file + " passed"), "\(record.stdout)") }
    }
}
