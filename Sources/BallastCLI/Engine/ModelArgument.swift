import Engine
import Foundation

/// Turns `--model` arguments (a cache name such as `smollm2-135m`, or a path) into opened models.
enum ModelArgument {
    /// The model cache of this process's environment.
    static var cache: ModelCache {
        ModelCache(environment: ProcessInfo.processInfo.environment, home: NSHomeDirectory())
    }

    /// The path `argument` names.
    static func path(_ argument: String) throws -> String {
        try cache.resolve(argument) { FileManager.default.fileExists(atPath: $0) }
    }

    /// Opens the model `argument` names.
    static func model(_ argument: String) throws -> Model {
        try Model(path: path(argument))
    }
}

/// Encodes a value as one line of JSON with sorted keys, for `--json` output.
func jsonLine(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // A statistic of nothing is NaN; JSON has no such number, so it becomes a string rather than failing the run.
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
