public import AsyncHTTPClient
public import BallastCore
import Foundation
import NIOCore
import NIOHTTP1
public import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs each deployment as `ballast worker` processes on this machine, with no cluster: starts and stops
/// workers to match the desired replicas, replaces workers that exit, and finds its workers again after a
/// controller restart.
///
/// ``run()`` is the supervision loop (a `Service`), and must run for exits to be noticed and replaced: every
/// ``Configuration/pollInterval`` it reaps exited
/// workers, reads new workers' ports from their logs, polls `/ready`, and starts or stops workers. On graceful
/// shutdown it drains and stops every worker; a controller killed with SIGKILL leaves them running, and the next
/// controller adopts those that are alive and answer `/health` (their list is kept through the
/// ``LocalRuntimePersistence``), so no request in flight is lost.
public actor LocalRuntime: Actuator, BackendDirectory, Service {
    /// How workers are started and watched.
    public struct Configuration: Sendable {
        /// The program and leading arguments that start a worker; the runtime appends `--model`, `--version`,
        /// `--host`, `--port 0` and `--name`. Default: this executable (`/proc/self/exe`) and `worker`.
        public var workerCommand: [String]
        /// Model (GGUF path or cached model name) per policy name, used when the desired state names none.
        /// Default empty: the deployment's model name, which `ballast worker` looks up in the model cache.
        public var models: [String: String]
        /// Extra arguments for every worker, such as `--threads 2 --memory-budget 1GiB`. Default none.
        public var workerArguments: [String]
        /// Address workers listen on and are reached at. Default `127.0.0.1`.
        public var host: String
        /// `--version` for deployments whose key has no version. Default `v1`.
        public var defaultVersion: String
        /// Longest a worker may take from start to its first ready answer before it is killed and replaced.
        /// Default 120 s, room for a large model to load.
        public var readyTimeout: Duration
        /// Time a stopped worker has to finish its requests after SIGTERM before SIGKILL. Default 30 s.
        public var drainGrace: Duration
        /// Wait before restarting after consecutive failures. Default 1 s doubling to 30 s.
        public var restartBackoff: RestartBackoff
        /// Time between supervision passes. Default 1 s.
        public var pollInterval: Duration
        /// A worker counts as ready while its last successful `/ready` answer is at most this old. Default 5 s.
        public var readyStaleness: Duration
        /// Longest a `/ready` or `/health` poll may take. Default 2 s.
        public var probeTimeout: Duration
        /// Folder for worker logs: each worker's output is appended to `<folder>/<policy>-<slot>.log`.
        /// Default `<temporary directory>/ballast-workers`.
        public var logDirectory: String
        /// The front door's URL, returned by ``endpoint(of:)``. Default `nil`: no front door.
        public var frontDoorURL: String?
        /// The clock for start and ready times. Default: the system clock.
        public var clock: @Sendable () -> Timestamp

        /// Creates a configuration with the defaults above.
        public init(
            workerCommand: [String] = [Self.currentExecutable, "worker"], models: [String: String] = [:],
            workerArguments: [String] = [], host: String = "127.0.0.1", defaultVersion: String = "v1",
            readyTimeout: Duration = .seconds(120), drainGrace: Duration = .seconds(30),
            restartBackoff: RestartBackoff = RestartBackoff(), pollInterval: Duration = .seconds(1),
            readyStaleness: Duration = .seconds(5), probeTimeout: Duration = .seconds(2),
            logDirectory: String = Configuration.defaultLogDirectory,
            frontDoorURL: String? = nil, clock: @escaping @Sendable () -> Timestamp = LocalRuntime.systemTime
        ) {
            self.workerCommand = workerCommand
            self.models = models
            self.workerArguments = workerArguments
            self.host = host
            self.defaultVersion = defaultVersion
            self.readyTimeout = readyTimeout
            self.drainGrace = drainGrace
            self.restartBackoff = restartBackoff
            self.pollInterval = pollInterval
            self.readyStaleness = readyStaleness
            self.probeTimeout = probeTimeout
            self.logDirectory = logDirectory
            self.frontDoorURL = frontDoorURL
            self.clock = clock
        }

        /// `<temporary directory>/ballast-workers`.
        public static var defaultLogDirectory: String {
            FileManager.default.temporaryDirectory.appendingPathComponent("ballast-workers").path
        }

        /// The running executable's path (`/proc/self/exe` resolved), else `CommandLine.arguments[0]`.
        public static var currentExecutable: String {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments.first ?? "ballast"
        }
    }

    /// The system clock as a ``Timestamp``.
    public static let systemTime: @Sendable () -> Timestamp = {
        Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }

    /// The settings.
    public let configuration: Configuration
    /// Worker events (started, ready, exited, restarted, stopped, adopted, forgotten, failed) for the daemon to
    /// record; buffered up to the newest 1000.
    public nonisolated let events: AsyncStream<RuntimeEvent>
    private let eventSink: AsyncStream<RuntimeEvent>.Continuation
    private let persistence: LocalRuntimePersistence
    private let client: HTTPClient

    private var workers: [Int32: LocalWorker] = [:]
    private var desired: [DeploymentKey: DesiredState] = [:]
    private var failures: [DeploymentKey: Int] = [:]
    private var notBefore: [DeploymentKey: Timestamp] = [:]
    private var pendingRestarts: [DeploymentKey: Int] = [:]
    private var load: (@Sendable (String) -> Int)?
    private var phase = Phase.notLoaded
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var stopped = false
    private var lastSaved: [UInt8]?

    private enum Phase { case notLoaded, loading, loaded }

    /// A runtime that keeps its worker list in `persistence` and polls workers with `httpClient`.
    public init(
        configuration: Configuration = Configuration(), persistence: LocalRuntimePersistence = .none,
        httpClient: HTTPClient = .shared
    ) {
        self.configuration = configuration
        self.persistence = persistence
        self.client = httpClient
        (events, eventSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1000))
    }

    /// Gives the runtime each worker's requests in flight (by `host:port`), so scale-down stops idle workers
    /// first; the front door's ``FrontDoor/inFlight(of:)`` is the usual source.
    public func setLoadSource(_ source: @escaping @Sendable (String) -> Int) {
        load = source
    }

    // MARK: Actuator

    /// Records `desired` and starts or drains workers at once to match it; the supervision loop finishes the
    /// job (reading ports, waiting for ready, killing after the drain grace). Workers always run one shard:
    /// `shards > 1` reconciles replicas and says in the summary that sharding is not available locally; ``fleet(of:now:)``
    /// keeps reporting one shard, from which the controller records the shard action as a recommendation.
    public func apply(_ desired: DesiredState, now: Timestamp) async -> ActuationOutcome {
        await ensureLoaded()
        let key = desired.deployment
        guard desired.replicas >= 0 else {
            return ActuationOutcome(
                succeeded: false,
                summary: "\(key): replicas (\(desired.replicas)) must be at least 0; nothing was changed.")
        }
        self.desired[key] = desired
        let (changes, failure) = reconcile(key, now: now)
        await persist()
        let live = workers.values.filter { $0.deployment == key && $0.drainingSince == nil }
        let ready = live.filter { isReady($0, now: now) }.count
        var summary = "\(key): \(desired.replicas) workers wanted, \(live.count) running, \(ready) ready"
        if !changes.isEmpty { summary += "; " + changes.joined(separator: "; ") }
        summary += "."
        if let failure {
            return ActuationOutcome(succeeded: false, summary: summary + " A worker could not be started: " + failure)
        }
        if desired.shards > 1 {
            return ActuationOutcome(
                succeeded: true,
                summary: summary + " Sharding into \(desired.shards) is recommended but not available for local "
                    + "workers, which run the whole model in one process; run the policy in Kubernetes to shard.")
        }
        return ActuationOutcome(succeeded: true, summary: summary)
    }

    /// Desired replicas (as last applied, else the workers running), ready replicas (`/ready` answered within
    /// ``Configuration/readyStaleness``), start times of workers not ready yet, and one shard.
    public func fleet(of deployment: DeploymentKey, now: Timestamp) async -> FleetState {
        await ensureLoaded()
        let live = workers.values.filter { $0.deployment == deployment && $0.drainingSince == nil }
        let ready = live.filter { isReady($0, now: now) }
        let starting = live.filter { $0.readyAt == nil }.map(\.startedAt).sorted()
        return FleetState(
            desiredReplicas: desired[deployment]?.replicas ?? live.count, readyReplicas: ready.count,
            startingSince: starting, shards: 1)
    }

    /// The front door's URL (``Configuration/frontDoorURL``), the same for every deployment.
    public func endpoint(of deployment: DeploymentKey) async -> String? {
        configuration.frontDoorURL
    }

    // MARK: For the scraper and the front door

    /// Every worker with a known port, not draining, as a scrape target labelled `model`, `version` and `policy`.
    public func targets() -> [ScrapeTarget] {
        workers.values.filter { $0.drainingSince == nil }.sorted {
            ($0.deployment.policy, $0.slot) < ($1.deployment.policy, $1.slot)
        }
        .compactMap { worker in
            worker.instance(host: configuration.host).map { instance in
                ScrapeTarget(
                    instance: instance,
                    labels: [
                        "model": worker.deployment.model,
                        "version": worker.deployment.version ?? configuration.defaultVersion,
                        "policy": worker.deployment.policy,
                    ])
            }
        }
    }

    /// Ready workers that are not draining, by policy and slot.
    public func readyBackends() async -> [FrontDoorBackend] {
        let now = configuration.clock()
        return workers.values.filter { isReady($0, now: now) }
            .sorted { ($0.deployment.policy, $0.slot) < ($1.deployment.policy, $1.slot) }
            .compactMap { worker in
                worker.instance(host: configuration.host).map {
                    FrontDoorBackend(instance: $0, deployment: worker.deployment)
                }
            }
    }

    /// Process ids of the deployment's workers that are not draining, by slot; for status pages and tests.
    public func workerProcesses(of deployment: DeploymentKey) -> [Int32] {
        workers.values.filter { $0.deployment == deployment && $0.drainingSince == nil }.sorted { $0.slot < $1.slot }
            .map(\.pid)
    }

    // MARK: Supervision

    /// Supervises until graceful shutdown, then drains and stops every worker (``shutdown(drain:)``). When the
    /// task is cancelled outright, workers get SIGTERM and the loop returns without waiting for them.
    public func run() async throws {
        await ensureLoaded()
        try? await cancelWhenGracefulShutdown {
            while await !self.isStopped {
                await self.supervise(now: self.configuration.clock())
                try await Task.sleep(for: self.configuration.pollInterval)
            }
        }
        guard !stopped else { return }
        if Task.isCancelled {
            for worker in workers.values { WorkerProcess.send(SIGTERM, to: worker.pid) }
            return
        }
        await shutdown(drain: true)
    }

    private var isStopped: Bool { stopped }

    /// One supervision pass at `now`: reaps exited workers (scheduling replacements with backoff), reads ports
    /// from logs, polls `/ready`, kills workers past the ready timeout or drain grace, and starts or stops
    /// workers to match the desired states. ``run()`` calls it every ``Configuration/pollInterval``.
    public func supervise(now: Timestamp) async {
        await ensureLoaded()
        guard !stopped else { return }
        reap(now: now)
        for (pid, worker) in workers where worker.port == nil {
            if let text = WorkerProcess.readLog(worker.logPath, from: worker.logOffset, limit: 64 * 1024),
                let port = ListeningAddress.port(in: text)
            {
                workers[pid]?.port = port
            }
        }
        let probes = workers.values.filter { $0.drainingSince == nil }.compactMap { worker in
            worker.port.map { (worker.pid, "http://\(configuration.host):\($0)/ready") }
        }
        let answers = await Self.probe(probes, client: client, timeout: configuration.probeTimeout)
        guard !stopped else { return }
        for (pid, ok) in answers where ok {
            guard var worker = workers[pid], worker.drainingSince == nil else { continue }
            if worker.readyAt == nil {
                worker.readyAt = now
                failures[worker.deployment] = 0
                emit(
                    worker, .ready, now: now,
                    "worker \(worker.slot) (pid \(worker.pid)) is ready on port \(worker.port ?? 0), "
                        + "\(Self.seconds(now - worker.startedAt)) after it started.")
            }
            worker.lastReadyAt = now
            workers[pid] = worker
        }
        for (pid, worker) in workers where !worker.killed {
            if let since = worker.drainingSince, now - since > configuration.drainGrace {
                WorkerProcess.send(SIGKILL, to: pid)
                workers[pid]?.killed = true
            } else if worker.drainingSince == nil, worker.readyAt == nil,
                now - worker.startedAt > configuration.readyTimeout
            {
                WorkerProcess.send(SIGKILL, to: pid)
                workers[pid]?.killed = true
                emit(
                    worker, .failed, now: now,
                    "worker \(worker.slot) (pid \(pid)) was not ready within \(configuration.readyTimeout) and was "
                        + "killed; see \(worker.logPath).")
            }
        }
        for key in desired.keys.sorted(by: { $0.description < $1.description }) { _ = reconcile(key, now: now) }
        await persist()
    }

    /// Stops supervising. With `drain`, every worker gets SIGTERM, has ``Configuration/drainGrace`` to finish its
    /// requests and is then killed, and the stored list is emptied; without, workers keep running and stay in
    /// the stored list for the next controller to adopt. Later calls do nothing.
    public func shutdown(drain: Bool) async {
        await ensureLoaded()
        // Only the first call acts: a controller that let its workers live on must not drain them afterwards.
        guard !stopped else { return }
        stopped = true
        guard drain else {
            await persist()
            return
        }
        let now = configuration.clock()
        for (pid, worker) in workers where worker.drainingSince == nil {
            workers[pid]?.drainingSince = now
            WorkerProcess.send(SIGTERM, to: worker.pid)
        }
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.drainGrace
        var killed = false
        while !workers.isEmpty {
            reap(now: configuration.clock())
            if workers.isEmpty { break }
            if !killed, clock.now >= deadline || Task.isCancelled {
                for pid in workers.keys { WorkerProcess.send(SIGKILL, to: pid) }
                killed = true
            }
            if killed, clock.now >= deadline + .seconds(5) {
                // Killed processes that are not our children cannot be reaped here; stop waiting for them.
                break
            }
            if (try? await Task.sleep(for: .milliseconds(20))) == nil { await Task.yield() }
        }
        workers.removeAll()
        await persist()
    }

    // MARK: Reconciliation

    /// Starts or drains workers of `key` to match its desired replicas; returns what it did, for the summary,
    /// and why a worker could not be started, if one could not.
    private func reconcile(_ key: DeploymentKey, now: Timestamp) -> (changes: [String], failure: String?) {
        guard !stopped, let want = desired[key] else { return ([], nil) }
        let mine = workers.values.filter { $0.deployment == key }
        let live = mine.filter { $0.drainingSince == nil }
        var changes: [String] = []
        if live.count < want.replicas {
            if let wait = notBefore[key], now < wait {
                let waiting =
                    "waiting \(Self.seconds(wait - now)) before the next start after \(failures[key] ?? 0) failures"
                return ([waiting], nil)
            }
            var used = Set(mine.map(\.slot))
            var started: [String] = []
            var failure: String?
            for _ in live.count..<want.replicas where failure == nil {
                let slot = (1...).first { !used.contains($0) } ?? used.count + 1
                used.insert(slot)
                switch start(want, slot: slot, now: now) {
                case .success(let worker): started.append("slot \(slot) pid \(worker.pid)")
                case .failure(let error): failure = error.description
                }
            }
            if !started.isEmpty { changes.append("started \(started.joined(separator: ", "))") }
            return (changes, failure)
        } else if live.count > want.replicas {
            let candidates = live.map { worker in
                WorkerRemovalChoice.Candidate(
                    pid: worker.pid, ready: isReady(worker, now: now),
                    inFlight: worker.instance(host: configuration.host).map { load?($0) ?? 0 } ?? 0,
                    startedAtMilliseconds: worker.startedAt.millisecondsSinceEpoch)
            }
            let victims = WorkerRemovalChoice.victims(from: candidates, count: live.count - want.replicas)
            for pid in victims {
                // Out of the front door first (draining workers are not ready backends), then SIGTERM.
                workers[pid]?.drainingSince = now
                WorkerProcess.send(SIGTERM, to: pid)
            }
            let slots = victims.compactMap { workers[$0].map { "slot \($0.slot) pid \($0.pid)" } }
            changes.append("draining \(slots.joined(separator: ", "))")
        }
        return (changes, nil)
    }

    private func start(_ want: DesiredState, slot: Int, now: Timestamp) -> Result<LocalWorker, WorkerProcess.SpawnError>
    {
        let key = want.deployment
        let model = want.modelPath ?? configuration.models[key.policy] ?? key.model
        let arguments =
            configuration.workerCommand + [
                "--model", model, "--version", key.version ?? configuration.defaultVersion, "--host",
                configuration.host,
                "--port", "0", "--name", key.model,
            ] + configuration.workerArguments
        let logPath = URL(fileURLWithPath: configuration.logDirectory).appendingPathComponent(
            "\(key.policy)-\(slot).log"
        ).path
        do {
            try FileManager.default.createDirectory(
                atPath: configuration.logDirectory, withIntermediateDirectories: true)
        } catch {
            let failure = WorkerProcess.SpawnError(
                description: "The log folder \(configuration.logDirectory) could not be created: \(error)")
            recordFailure(key, slot: slot, now: now, failure.description)
            return .failure(failure)
        }
        let spawned: (pid: Int32, logOffset: Int64)
        do {
            spawned = try WorkerProcess.spawn(arguments, logPath: logPath)
        } catch {
            recordFailure(key, slot: slot, now: now, error.description)
            return .failure(error)
        }
        let worker = LocalWorker(
            deployment: key, slot: slot, pid: spawned.pid, modelPath: model, logPath: logPath,
            logOffset: spawned.logOffset, startedAt: now)
        workers[worker.pid] = worker
        let restart = (pendingRestarts[key] ?? 0) > 0
        if restart { pendingRestarts[key, default: 0] -= 1 }
        emit(
            worker, restart ? .restarted : .started, now: now,
            "worker \(slot) (pid \(worker.pid)) started with model \(model); log \(logPath).")
        return .success(worker)
    }

    private func recordFailure(_ key: DeploymentKey, slot: Int, now: Timestamp, _ message: String) {
        let count = (failures[key] ?? 0) + 1
        failures[key] = count
        notBefore[key] = now + configuration.restartBackoff.delay(afterFailures: count)
        eventSink.yield(RuntimeEvent(time: now, deployment: key, kind: .failed, slot: slot, message: message))
    }

    /// Removes workers that have exited; an exit that was not asked for schedules a replacement with backoff.
    private func reap(now: Timestamp) {
        for (pid, worker) in workers {
            let status = WorkerProcess.status(of: pid)
            guard status != .running else { continue }
            workers[pid] = nil
            if worker.drainingSince != nil {
                emit(worker, .stopped, now: now, "worker \(worker.slot) (pid \(pid)) stopped with \(status.text).")
                continue
            }
            let key = worker.deployment
            let count = (failures[key] ?? 0) + 1
            failures[key] = count
            let delay = configuration.restartBackoff.delay(afterFailures: count)
            notBefore[key] = now + delay
            pendingRestarts[key, default: 0] += 1
            let last = WorkerProcess.lastLogLine(worker.logPath, after: worker.logOffset).map {
                " Last log line: \($0)"
            }
            emit(
                worker, .exited, now: now,
                "worker \(worker.slot) (pid \(pid)) exited with \(status.text); a replacement starts in "
                    + "\(Self.seconds(delay)).\(last ?? "")")
        }
    }

    private func isReady(_ worker: LocalWorker, now: Timestamp) -> Bool {
        guard worker.drainingSince == nil, let last = worker.lastReadyAt else { return false }
        return now - last <= configuration.readyStaleness
    }

    private func emit(_ worker: LocalWorker, _ kind: RuntimeEvent.Kind, now: Timestamp, _ message: String) {
        eventSink.yield(
            RuntimeEvent(
                time: now, deployment: worker.deployment, kind: kind, slot: worker.slot, pid: worker.pid,
                port: worker.port, message: message))
    }

    // MARK: Persistence and adoption

    /// Loads the stored list once, before anything else touches the workers; concurrent callers wait for it.
    private func ensureLoaded() async {
        switch phase {
        case .loaded: return
        case .loading:
            await withCheckedContinuation { waiters.append($0) }
        case .notLoaded:
            phase = .loading
            await adoptRecordedWorkers()
            phase = .loaded
            for waiter in waiters { waiter.resume() }
            waiters.removeAll()
        }
    }

    /// Adopts stored workers whose process is alive and that answer `/health` on their port (or have not
    /// logged a port yet: still loading); forgets the rest, whose slots are then filled by new workers.
    private func adoptRecordedWorkers() async {
        let now = configuration.clock()
        let record: LocalRuntimeRecord
        do {
            guard let bytes = try await persistence.load() else { return }
            record = try JSONDecoder().decode(LocalRuntimeRecord.self, from: Data(bytes))
            lastSaved = bytes
        } catch {
            eventSink.yield(
                RuntimeEvent(
                    time: now, deployment: DeploymentKey(policy: "-", model: "-"), kind: .failed,
                    message: "The stored worker list could not be read (\(error)); recorded workers are not "
                        + "adopted and new ones are started."))
            return
        }
        guard record.version == 1 else { return }
        for state in record.desired { desired[state.deployment] = state }
        for var worker in record.workers {
            let alive = WorkerProcess.status(of: worker.pid) == .running
            if worker.port == nil,
                let text = WorkerProcess.readLog(worker.logPath, from: worker.logOffset, limit: 64 * 1024)
            {
                worker.port = ListeningAddress.port(in: text)
            }
            var healthy = false
            var ready = false
            if alive, let port = worker.port {
                let base = "http://\(configuration.host):\(port)"
                let answers = await Self.probe(
                    [(1, base + "/health"), (2, base + "/ready")], client: client, timeout: configuration.probeTimeout)
                healthy = answers[1] == true
                ready = answers[2] == true
            }
            if alive && (healthy || worker.port == nil) {
                worker.adopted = true
                worker.lastReadyAt = ready ? now : nil
                if ready && worker.readyAt == nil { worker.readyAt = now }
                workers[worker.pid] = worker
                emit(
                    worker, .adopted, now: now,
                    "worker \(worker.slot) (pid \(worker.pid)) from an earlier controller is "
                        + (worker.port.map { "serving on port \($0)" } ?? "still starting") + "; watching it again.")
                if worker.drainingSince != nil { WorkerProcess.send(SIGTERM, to: worker.pid) }
            } else {
                let why = alive ? "does not answer /health on port \(worker.port ?? 0)" : "is no longer running"
                emit(worker, .forgotten, now: now, "worker \(worker.slot) (pid \(worker.pid)) \(why); it is replaced.")
            }
        }
        await persist()
    }

    /// Saves desired states and workers when they changed since the last save.
    private func persist() async {
        let record = LocalRuntimeRecord(
            desired: desired.values.sorted { $0.deployment.description < $1.deployment.description },
            workers: workers.values.sorted { $0.pid < $1.pid })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let bytes = try? [UInt8](encoder.encode(record)), bytes != lastSaved else { return }
        do {
            try await persistence.save(bytes)
            lastSaved = bytes
        } catch {
            eventSink.yield(
                RuntimeEvent(
                    time: configuration.clock(), deployment: DeploymentKey(policy: "-", model: "-"), kind: .failed,
                    message: "The worker list could not be saved (\(error)); a restarted controller would not "
                        + "find these workers."))
        }
    }

    /// GETs each URL at once; true for a 200 answer within `timeout`.
    private static func probe(_ urls: [(Int32, String)], client: HTTPClient, timeout: Duration) async -> [Int32: Bool] {
        await withTaskGroup(of: (Int32, Bool).self) { group in
            for (pid, url) in urls {
                group.addTask {
                    do {
                        let response = try await client.execute(
                            HTTPClientRequest(url: url), timeout: .milliseconds(timeout.wholeMilliseconds))
                        _ = try await response.body.collect(upTo: 64 * 1024)
                        return (pid, response.status == .ok)
                    } catch {
                        return (pid, false)
                    }
                }
            }
            var answers: [Int32: Bool] = [:]
            for await (pid, ok) in group { answers[pid] = ok }
            return answers
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let value = duration.secondsValue
        return value < 10 ? "\((value * 100).rounded() / 100) s" : "\(Int(value.rounded())) s"
    }
}
