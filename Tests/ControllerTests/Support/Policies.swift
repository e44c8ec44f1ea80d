import Foundation
import PolicyFile

/// Shipped policies, found from this file's path (Tests/ControllerTests/Support/Policies.swift).
enum Policies {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func document(_ relative: String) throws -> PolicyDocument {
        try PolicyLoader.loadDocument(contentsOf: root.appendingPathComponent(relative).path)
    }
}
