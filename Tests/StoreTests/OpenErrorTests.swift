import Foundation
import GRDB
import Store
import Testing

/// Files that cannot serve as state are refused with a sentence naming the path and the way out.
struct OpenErrorTests {
    /// A path prepared in a fresh directory, and the error opening it must give.
    struct BadPath: Sendable, CustomTestStringConvertible {
        let name: String
        /// Makes the bad path inside `directory` and returns it.
        let prepare: @Sendable (String) throws -> String
        /// The expected error for the prepared path.
        let expected: @Sendable (String) -> StoreError
        var testDescription: String { name }
    }

    static let badPaths: [BadPath] = [
        BadPath(
            name: "text file",
            prepare: { directory in
                let path = directory + "/notes.txt"
                try Data(String(repeating: "this is not a database\n", count: 200).utf8).write(
                    to: URL(fileURLWithPath: path))
                return path
            },
            expected: { .notAStateFile(path: $0, reason: "SQLite said: file is not a database") }),
        BadPath(
            name: "short binary file",
            prepare: { directory in
                let path = directory + "/short.bin"
                try Data([0x00, 0xFF, 0x13, 0x37]).write(to: URL(fileURLWithPath: path))
                return path
            },
            expected: { .notAStateFile(path: $0, reason: "SQLite said: file is not a database") }),
        BadPath(
            name: "directory",
            prepare: { directory in
                let path = directory + "/state"
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
                return path
            },
            expected: { .isDirectory(path: $0) }),
        BadPath(
            name: "parent is a file",
            prepare: { directory in
                try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/plain"))
                return directory + "/plain/sub/state.sqlite"
            },
            expected: { path in
                let plain = URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().path
                return .cannotCreateDirectory(
                    path: path, directory: plain + "/sub", reason: "\(plain) is a file, not a directory")
            }),
        BadPath(
            name: "database of another program",
            prepare: { directory in
                let path = directory + "/other.sqlite"
                let queue = try DatabaseQueue(path: path)
                try queue.write { db in
                    try db.execute(
                        sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE orders (id)")
                }
                try queue.close()
                return path
            },
            expected: {
                .notAStateFile(
                    path: $0, reason: "it is a SQLite database of another program, with the tables orders, users")
            }),
        BadPath(
            name: "newer schema",
            prepare: { directory in
                let path = directory + "/state.sqlite"
                _ = try SQLiteStateStore(path: path)
                let queue = try DatabaseQueue(path: path)
                try queue.write { db in
                    try db.execute(
                        sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v3-future'), ('v2-future')")
                }
                try queue.close()
                return path
            },
            expected: { .newerSchema(path: $0, unknownMigrations: ["v2-future", "v3-future"]) }),
    ]

    @Test(arguments: badPaths)
    func openingFailsWithTheNamedError(bad: BadPath) async throws {
        try await withTemporaryDirectory { directory in
            let path = try bad.prepare(directory)
            let before = try? Data(contentsOf: URL(fileURLWithPath: path))

            let error = #expect(throws: StoreError.self) { try SQLiteStateStore(path: path) }

            #expect(error == bad.expected(path))
            #expect(error.map { "\($0)" }?.contains(path) == true)
            // Refusing a file never changes it.
            #expect((try? Data(contentsOf: URL(fileURLWithPath: path))) == before)
        }
    }

    @Test func notADatabaseSaysWhatToDo() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/notes.txt"
            try Data(String(repeating: "plain text ", count: 100).utf8).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: StoreError.self) { try SQLiteStateStore(path: path) }
            #expect(
                error?.description
                    == "\(path) is not a Ballast state file (SQLite said: file is not a database); pass another --state path or move it away."
            )
        }
    }

    /// Paths no process may write, not even root: the kernel's `/proc` file system takes no new files.
    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status"), "needs Linux /proc"),
        arguments: ["/proc/self/state.sqlite", "/proc/ballast-no-such-dir/state.sqlite"])
    func unwritablePathIsRefused(path: String) async throws {
        let error = #expect(throws: StoreError.self) { try SQLiteStateStore(path: path) }
        switch error {
        case .cannotOpen(let errorPath, _), .cannotCreateDirectory(let errorPath, _, _):
            #expect(errorPath == path)
        default:
            Issue.record("Expected cannotOpen or cannotCreateDirectory, got \(String(describing: error)).")
        }
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("--state") == true)
    }

    @Test func emptyFileBecomesAStateFile() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/empty.sqlite"
            #expect(FileManager.default.createFile(atPath: path, contents: Data()))
            let store = try SQLiteStateStore(path: path)
            try await store.setBlob([1], forKey: "k")
            #expect(try await SQLiteStateStore(path: path).blob(forKey: "k") == [1])
        }
    }
}
