import BallastCore
import Testing

@testable import Controller

struct SubprocessCommandRunnerTests {
    let runner = SubprocessCommandRunner()

    @Test func capturesStandardOutput() async {
        let record = await runner.run(["/bin/echo", "hello", "world"], input: nil, timeout: .seconds(30))
        #expect(record.exitCode == 0)
        #expect(record.stdout == "hello world\n")
        #expect(record.stderr == "")
        #expect(record.arguments == ["/bin/echo", "hello", "world"])
    }

    @Test func findsProgramsOnPath() async {
        let record = await runner.run(["echo", "on path"], input: nil, timeout: .seconds(30))
        #expect(record.exitCode == 0)
        #expect(record.stdout == "on path\n")
    }

    @Test func reportsTheExitStatusAndStandardError() async {
        let record = await runner.run(["/bin/sh", "-c", "echo oops >&2; exit 3"], input: nil, timeout: .seconds(30))
        #expect(record.exitCode == 3)
        #expect(record.stderr == "oops\n")
    }

    @Test func feedsStandardInput() async {
        let record = await runner.run(["cat"], input: Array("line one\nline two\n".utf8), timeout: .seconds(30))
        #expect(record.exitCode == 0)
        #expect(record.stdout == "line one\nline two\n")
    }

    @Test func inputToAProgramThatDoesNotReadItIsHarmless() async {
        let record = await runner.run(
            ["/bin/sh", "-c", "exit 0"], input: Array(repeating: 65, count: 1 << 20), timeout: .seconds(30))
        #expect(record.exitCode == 0)
    }

    @Test func stopsAProgramAtTheTimeout() async {
        let record = await runner.run(["sleep", "30"], input: nil, timeout: .milliseconds(300))
        // SIGTERM ended the sleep (128 + 15); left alone it would have exited 0.
        #expect(record.exitCode == 143)
        #expect(record.stderr.contains("sleep did not finish within"))
    }

    @Test func killsAProgramThatIgnoresSIGTERM() async {
        let runner = SubprocessCommandRunner(configuration: .init(killGrace: .milliseconds(200)))
        let record = await runner.run(
            ["/bin/sh", "-c", "trap '' TERM; echo started; while :; do sleep 0.05; done"], input: nil,
            timeout: .milliseconds(300))
        #expect(record.exitCode == 137)
        #expect(record.stdout == "started\n")
        #expect(record.stderr.contains("did not finish within"))
    }

    @Test func aMissingProgramHasNoExitCode() async {
        let record = await runner.run(["no-such-program-ballast"], input: nil, timeout: .seconds(30))
        #expect(record.exitCode == nil)
        #expect(record.stderr.contains("no-such-program-ballast could not be started"))
        let path = await runner.run(["/nonexistent/kubectl", "version"], input: nil, timeout: .seconds(30))
        #expect(path.exitCode == nil)
        #expect(path.stderr.contains("/nonexistent/kubectl could not be started"))
    }

    @Test func anEmptyCommandIsRefused() async {
        let record = await runner.run([], input: nil, timeout: .seconds(30))
        #expect(record.exitCode == nil)
        #expect(record.stderr.contains("The command is empty"))
    }

    @Test func cutsLongOutput() async {
        let runner = SubprocessCommandRunner(configuration: .init(outputLimit: 1000))
        let record = await runner.run(
            ["/bin/sh", "-c", "head -c 300000 /dev/zero | tr '\\0' a; head -c 5000 /dev/zero | tr '\\0' b >&2"],
            input: nil, timeout: .seconds(30))
        #expect(record.exitCode == 0)
        #expect(record.stdout == String(repeating: "a", count: 1000) + "… (cut 299000 bytes)")
        #expect(record.stderr == String(repeating: "b", count: 1000) + "… (cut 4000 bytes)")
    }

    @Test func reportsADeathBySignal() async {
        let record = await runner.run(["/bin/sh", "-c", "kill -9 $$"], input: nil, timeout: .seconds(30))
        #expect(record.exitCode == 137)
        #expect(record.stderr.contains("killed by signal 9"))
    }
}
