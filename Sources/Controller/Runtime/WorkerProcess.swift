#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts and watches worker processes with `posix_spawn` directly, not through a task that owns them: a worker
/// must outlive a controller killed with SIGKILL, and a restarted controller must watch a worker it did not start
/// the same way it watches its own children.
enum WorkerProcess {
    /// Why a worker could not be started.
    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// What a process is doing now.
    enum Status: Hashable, Sendable {
        /// Still running.
        case running
        /// Exited with a status code.
        case exited(Int32)
        /// Killed by a signal.
        case signaled(Int32)
        /// Gone, exit status unknown: not a child of this process (adopted after a controller restart).
        case gone

        /// `exit status 0`, `signal 9`, for messages.
        var text: String {
            switch self {
            case .running: "running"
            case .exited(let code): "exit status \(code)"
            case .signaled(let signal): "signal \(signal)"
            case .gone: "unknown status (not started by this controller)"
            }
        }
    }

    /// Starts `arguments` (a name without a slash is looked up in `PATH`) with standard input from `/dev/null`
    /// and standard output and error appended to `logPath`, in a process group of its own, so a Ctrl-C meant
    /// for the controller does not reach it.
    ///
    /// - Returns: the process id and the log's length before the worker wrote to it.
    static func spawn(_ arguments: [String], logPath: String) throws(SpawnError) -> (pid: Int32, logOffset: Int64) {
        guard let program = arguments.first, !program.isEmpty else {
            throw SpawnError(description: "The worker command is empty; configure the program to run.")
        }
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else {
            throw SpawnError(
                description: "The worker log \(logPath) could not be opened: \(String(cString: strerror(errno))); "
                    + "check that its folder exists and is writable.")
        }
        defer { close(log) }
        let offset = Int64(lseek(log, 0, SEEK_END))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, log, 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        closeOtherDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // Signals the controller ignores or blocks (SIGPIPE, SIGTERM for its own graceful shutdown) would be
        // inherited; the worker needs the defaults to drain on SIGTERM.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result =
            program.contains("/")
            ? posix_spawn(&pid, program, &actions, &attributes, argv, environ)
            : posix_spawnp(&pid, program, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw SpawnError(
                description: "The worker command \(program) could not be started: \(String(cString: strerror(result)))"
                    + "; check the worker command (a path, or a program on PATH).")
        }
        return (pid, offset)
    }

    /// The process's status, reaping it when it is a child that has exited.
    static func status(of pid: Int32) -> Status {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift cannot import as they are macros.
            let signal = status & 0x7f
            return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        }
        if result == 0 { return .running }
        // ECHILD: not our child (adopted). It is alive while it can be signalled.
        return isAlive(pid) ? .running : .gone
    }

    /// Whether a process with `pid` exists (signal 0 reaches it, or it exists but belongs to someone else).
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Sends `signal` to `pid`; false when the process is gone.
    @discardableResult
    static func send(_ signal: Int32, to pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, signal) == 0
    }

    /// Asks the spawned process to close every descriptor above 2, where the C library offers it (glibc 2.34+
    /// `posix_spawn_file_actions_addclosefrom_np`, which Swift does not import): a listening socket or database
    /// the controller opened without close-on-exec must not live on in a worker.
    private static func closeOtherDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        #if canImport(Glibc)
            typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
            guard let symbol = UnsafeMutableRawPointer(bitPattern: closeFromAddress) else { return }
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            _ = closeFrom(&actions, 3)
        #endif
    }

    #if canImport(Glibc)
        /// The function's address (0 when the C library lacks it), looked up once; an integer, so it is `Sendable`.
        private static let closeFromAddress: Int = Int(
            bitPattern: dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np"))
    #endif

    /// The last line of the log after `offset` that mentions an error, else its last non-empty line, at most 300
    /// characters: why a worker exited.
    static func lastLogLine(_ path: String, after offset: Int64) -> String? {
        guard let text = readLog(path, from: offset, limit: 64 * 1024, tail: true) else { return nil }
        let lines = text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
        let line = lines.last { $0.lowercased().contains("error") } ?? lines.last
        return line.map { String($0.suffix(300)) }
    }

    /// Up to `limit` bytes of the log from `offset` (the last `limit` bytes with `tail`), as text.
    static func readLog(_ path: String, from offset: Int64, limit: Int, tail: Bool = false) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let end = Int64(lseek(descriptor, 0, SEEK_END))
        var start = max(0, offset)
        if tail { start = max(start, end - Int64(limit)) }
        guard end > start else { return "" }
        let count = Int(min(Int64(limit), end - start))
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(start)) }
        guard read > 0 else { return "" }
        return String(decoding: bytes.prefix(read), as: UTF8.self)
    }
}
