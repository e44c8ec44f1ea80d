import BallastTestSupport
import Testing

@testable import Engine

/// The runner's thread pool: every share of every task runs exactly once, also after the workers fell asleep.
struct KernelThreadsTests {
    /// One counter per thread and the thread count each call saw.
    struct Tally {
        var counts: [Int]
        var reportedThreads: Int32 = 0

        init(threads: Int) { counts = [Int](repeating: 0, count: threads) }
    }

    static func runCounting(_ threads: KernelThreads, _ tally: inout Tally, times: Int) {
        for _ in 0..<times {
            tally.counts.withUnsafeMutableBufferPointer { counts in
                var context = (counts.baseAddress, Int32(0))
                threads.run(&context) { raw, thread, threads in
                    guard let context = raw?.assumingMemoryBound(to: (UnsafeMutablePointer<Int>?, Int32).self)
                    else { return }
                    // Each share writes only its own slot; share 0 also records the share count.
                    context.pointee.0?[Int(thread)] += 1
                    if thread == 0 { context.pointee.1 = threads }
                }
                tally.reportedThreads = context.1
            }
        }
    }

    @Test(arguments: [1, 2, 3, 5])
    func everyThreadRunsEveryTaskOnce(threadCount: Int) {
        let threads = KernelThreads(count: threadCount)
        #expect(threads.count == threadCount)
        var tally = Tally(threads: threadCount)
        Self.runCounting(threads, &tally, times: 500)
        #expect(tally.counts == [Int](repeating: 500, count: threadCount))
        #expect(tally.reportedThreads == Int32(threadCount))
    }

    @Test func sleepingWorkersWakeForTheNextTask() async throws {
        let threads = KernelThreads(count: 3)
        var tally = Tally(threads: 3)
        Self.runCounting(threads, &tally, times: 1)
        try await waitUntil("both workers of an idle pool fall asleep", timeout: .seconds(30)) {
            threads.sleepingCount == 2
        }
        Self.runCounting(threads, &tally, times: 10)
        #expect(tally.counts == [11, 11, 11])
    }

    @Test func aCountBelowOneMeansTheCallerAlone() {
        let threads = KernelThreads(count: 0)
        #expect(threads.count == 1)
        var tally = Tally(threads: 1)
        Self.runCounting(threads, &tally, times: 3)
        #expect(tally.counts == [3])
        #expect(threads.sleepingCount == 0)
    }
}
