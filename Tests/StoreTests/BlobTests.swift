import BallastCore
import Testing

/// Opaque runtime state under a key: set, replace, delete.
struct BlobTests {
    /// One step of a script of blob writes and the value every key must hold afterwards.
    struct Script: Sendable, CustomTestStringConvertible {
        let kind: StoreKind
        let name: String
        let writes: [(key: String, value: [UInt8]?)]
        let expected: [String: [UInt8]]
        var testDescription: String { "\(kind): \(name)" }
    }

    static let keys = ["runtime/local", "rollout/r1-7b", "", "ключ/🔑"]

    static let scripts: [Script] = StoreKind.allCases.flatMap { kind in
        [
            Script(
                kind: kind, name: "set", writes: [("runtime/local", [1, 2, 3])], expected: ["runtime/local": [1, 2, 3]]),
            Script(
                kind: kind, name: "replace", writes: [("runtime/local", [1, 2, 3]), ("runtime/local", [9])],
                expected: ["runtime/local": [9]]),
            Script(
                kind: kind, name: "delete", writes: [("runtime/local", [1]), ("runtime/local", nil)], expected: [:]),
            Script(kind: kind, name: "delete missing", writes: [("rollout/r1-7b", nil)], expected: [:]),
            Script(
                kind: kind, name: "empty value is not nil", writes: [("runtime/local", [])],
                expected: ["runtime/local": []]),
            Script(
                kind: kind, name: "every byte value",
                writes: [("rollout/r1-7b", Array(0...255)), ("", [0, 0, 0])],
                expected: ["rollout/r1-7b": Array(0...255), "": [0, 0, 0]]),
            Script(
                kind: kind, name: "keys are independent",
                writes: [("runtime/local", [1]), ("ключ/🔑", [2]), ("runtime/local", nil), ("ключ/🔑", [3])],
                expected: ["ключ/🔑": [3]]),
            Script(
                kind: kind, name: "set after delete",
                writes: [("runtime/local", [1]), ("runtime/local", nil), ("runtime/local", [2])],
                expected: ["runtime/local": [2]]),
        ]
    }

    @Test(arguments: scripts)
    func blobsHoldTheLastWrite(script: Script) async throws {
        try await withTemporaryDirectory { directory in
            let store = try script.kind.make(in: directory)
            for (key, value) in script.writes {
                try await store.setBlob(value, forKey: key)
            }
            for key in Self.keys {
                #expect(try await store.blob(forKey: key) == script.expected[key], "key \"\(key)\"")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func largeBlobRoundTrips(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            let value = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            try await store.setBlob(value, forKey: "runtime/local")
            #expect(try await store.blob(forKey: "runtime/local") == value)
        }
    }
}
