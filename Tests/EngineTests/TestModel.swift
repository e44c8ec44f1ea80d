import Foundation

/// Where tests find the real SmolLM2 model: `BALLAST_SMOLLM2_GGUF`, else the model cache `.ci/setup` fills
/// (`$BALLAST_MODEL_CACHE`, default `$XDG_CACHE_HOME/ballast/models` or `~/.cache/ballast/models`).
enum TestModel {
    static let fileName = "SmolLM2-135M-Instruct.Q4_1.gguf"

    static let smolLM2Path: String = {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["BALLAST_SMOLLM2_GGUF"], !path.isEmpty { return path }
        let cache = environment["BALLAST_MODEL_CACHE"]
            ?? ((environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")) + "/ballast/models")
        return cache + "/" + fileName
    }()

    /// True when the model is there, and in CI (`CI=true`) always: a missing model must fail there, not skip.
    static let smolLM2Required: Bool =
        FileManager.default.fileExists(atPath: smolLM2Path) || ProcessInfo.processInfo.environment["CI"] == "true"
}
