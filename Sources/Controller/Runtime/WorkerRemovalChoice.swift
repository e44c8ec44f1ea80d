/// Which workers go first when a deployment scales down: those not serving yet, then the least loaded, then the
/// newest (the oldest have warm caches and proven health). Pure, so the order is tested with a table.
public enum WorkerRemovalChoice {
    /// What the choice knows of one worker.
    public struct Candidate: Hashable, Sendable {
        /// The worker's process id.
        public var pid: Int32
        /// Whether it answers `/ready`.
        public var ready: Bool
        /// Requests in flight through the front door.
        public var inFlight: Int
        /// When it was started, in milliseconds since the epoch.
        public var startedAtMilliseconds: Int64

        /// Creates a candidate.
        public init(pid: Int32, ready: Bool, inFlight: Int = 0, startedAtMilliseconds: Int64) {
            self.pid = pid
            self.ready = ready
            self.inFlight = inFlight
            self.startedAtMilliseconds = startedAtMilliseconds
        }
    }

    /// The `count` workers to remove from `candidates`, first to go first.
    public static func victims(from candidates: [Candidate], count: Int) -> [Int32] {
        let ordered = candidates.sorted { a, b in
            if a.ready != b.ready { return !a.ready }
            if a.inFlight != b.inFlight { return a.inFlight < b.inFlight }
            if a.startedAtMilliseconds != b.startedAtMilliseconds {
                return a.startedAtMilliseconds > b.startedAtMilliseconds
            }
            return a.pid > b.pid
        }
        return ordered.prefix(max(0, count)).map(\.pid)
    }
}
