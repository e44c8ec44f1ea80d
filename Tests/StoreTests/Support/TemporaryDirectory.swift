import Foundation

/// Runs `body` with a fresh empty directory that is removed afterwards, whether `body` throws or not.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("ballast-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory.path)
}

/// Polls `condition` every 20 ms until it holds; throws a sentence naming `what` after `seconds`.
func waitUntil(
    _ what: String, seconds: Double = 30, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw WaitTimeout(description: "Waited \(seconds) s for \(what), and it did not happen.")
}

/// A condition did not hold within its deadline.
struct WaitTimeout: Error, CustomStringConvertible {
    let description: String
}
