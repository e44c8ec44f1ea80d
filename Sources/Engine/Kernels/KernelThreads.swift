import CEngineKernels

/// The threads a ``ModelRunner`` splits each parallel section of a step over: `count - 1` worker threads that
/// spin between sections and then sleep, plus the caller. A section has `count` shares; each thread claims
/// shares until none is left, so a worker that lost its core to another process delays nothing.
///
/// A decode step at batch 1 runs about five sections per layer of a few tens of microseconds each; handing each
/// to a general-purpose queue costs as much as the work, so the workers stay awake across a step. Not
/// thread-safe: one caller runs one task at a time.
final class KernelThreads {
    private let pool: OpaquePointer?

    /// Threads a task is split over: `count` as asked, fewer when the system refused to start some.
    let count: Int

    /// Starts `count - 1` workers (none for 1).
    init(count: Int) {
        pool = bk_pool_create(Int32(max(1, count)))
        self.count = Int(bk_pool_threads(pool))
    }

    deinit {
        bk_pool_destroy(pool)
    }

    /// Workers asleep now; they fall asleep a few milliseconds after their last task.
    var sleepingCount: Int { Int(bk_pool_sleeping(pool)) }

    /// Calls `task(context, share, count)` once for every share in `0..<count`, each on one thread, and returns
    /// when all have returned. `task` is a C function, so a section allocates nothing and captures nothing.
    func run<Context>(_ context: inout Context, _ task: bk_pool_task) {
        withUnsafeMutablePointer(to: &context) { bk_pool_run(pool, task, $0) }
    }
}
