/// Where downloaded models live, and how a `--model` argument becomes a file path.
///
/// The directory is `$BALLAST_MODEL_CACHE`, else `$XDG_CACHE_HOME/ballast/models`, else
/// `~/.cache/ballast/models`: the place `.ci/setup` fills, so the tests, CI and the CLI agree.
public struct ModelCache: Sendable, Equatable {
    /// The cache directory.
    public var directory: String

    /// A cache in `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// The cache the environment names (see the type's documentation); `home` is the user's home directory.
    public init(environment: [String: String], home: String) {
        if let explicit = environment["BALLAST_MODEL_CACHE"], !explicit.isEmpty {
            directory = explicit
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            directory = xdg + "/ballast/models"
        } else {
            directory = home + "/.cache/ballast/models"
        }
    }

    /// Where `model` is stored in this cache.
    public func path(of model: KnownModel) -> String {
        directory + "/" + model.fileName
    }

    /// The file a `--model` argument names: a known model's cache name (`smollm2-135m`), or a path.
    ///
    /// - Parameter exists: whether a file exists at a path (the caller's file system).
    /// - Throws: ``ModelCacheError`` saying how to fetch a known model that is not cached yet, or that the path
    ///   does not exist.
    public func resolve(_ argument: String, exists: (String) -> Bool) throws(ModelCacheError) -> String {
        if let known = KnownModel.named(argument) {
            let path = path(of: known)
            guard exists(path) else {
                throw ModelCacheError(
                    "The model `\(known.name)` is not in the cache (\(path)); fetch it with "
                        + "`ballast model pull \(known.name)`.")
            }
            return path
        }
        guard exists(argument) else {
            let names = KnownModel.all.map(\.name).joined(separator: ", ")
            throw ModelCacheError(
                "No model file at `\(argument)`; give the path of a GGUF file or a cached model name (\(names)).")
        }
        return argument
    }
}

/// Why a model could not be found or fetched; the description says what to run or pass instead.
public struct ModelCacheError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A full sentence naming the model or path and the fix.
    public let description: String

    /// Makes an error from a full sentence.
    public init(_ description: String) {
        self.description = description
    }
}
