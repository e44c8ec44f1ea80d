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

