import Foundation
import Testing

@testable import Engine

struct GGUFReaderTests {
    @Test(arguments: [(UInt32(3), UInt32?.none), (2, nil), (3, 64), (3, 1), (2, 256)])
    func writtenFileReadsBackIdentically(version: UInt32, alignment: UInt32?) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("model.gguf")
        let writer = try GGUFSamples.writer(version: version, alignment: alignment)
        try writer.write(to: path)
        let file = try GGUFFile(path: path)

        #expect(file.header.version == version)
        #expect(file.header.alignment == Int(alignment ?? 32))
        #expect(file.header.dataOffset % file.header.alignment == 0)
        #expect(file.metadata.map(\.key) == writer.metadata.map(\.key))
        #expect(file.metadata.map(\.value) == writer.metadata.map(\.value))
        let expected = GGUFSamples.tensors(seed: 1)
        #expect(file.tensors.map(\.name) == expected.map(\.name))
        for (info, tensor) in zip(file.tensors, expected) {
            #expect(info.shape == tensor.shape)
            #expect(info.type == tensor.type)
            #expect(info.offset % file.header.alignment == 0)
            #expect(Array(file.data(of: info)) == tensor.data, "data of \(info.name)")
        }
        // The file on disk is exactly what encoded() produces.
        #expect(Array(file.file.bytes) == writer.encoded())
    }

    @Test func lookupsByKeyAndName() throws {
        let bytes = try GGUFSamples.writer().encoded()
        let header = try bytes.withUnsafeBytes { buffer throws(GGUFError) in try GGUFHeader.parse(buffer) }
        #expect(header["general.architecture"]?.string == "llama")
        #expect(header["test.uint32"]?.integer == 4_000_000_000)
        #expect(header["test.float32"]?.number == Double(Float(-1.5e-7)))
        #expect(header["test.missing"] == nil)
        #expect(header.tensor(named: "blk.0.attn_k.weight")?.shape == [32, 2, 2])
        #expect(header.tensor(named: "blk.0.attn_k.weight")?.byteCount == 4 * 34)
    }

    /// Every proper prefix of a valid file must be rejected with an error, never a crash or an out-of-bounds read.
    @Test func everyTruncationIsAnError() throws {
        let bytes = try GGUFSamples.writer().encoded()
        var failures: [Int] = []
        for length in 0..<bytes.count {
            let prefix = Array(bytes[0..<length])
            let result = prefix.withUnsafeBytes { buffer in
                Result { () throws(GGUFError) in try GGUFHeader.parse(buffer) }
            }
            if case .success = result { failures.append(length) }
            if case .failure(let error) = result, let offset = error.offset {
                // Data errors name where the tensor should start, which may lie past the cut; never past the file.
                #expect(offset <= bytes.count, "offset \(offset) past the end of the \(bytes.count)-byte file")
            }
        }
        // Only the padding after the last tensor may be cut without losing data; nothing shorter parses.
        let lastTensorEnd = try bytes.withUnsafeBytes { buffer throws(GGUFError) in
            let header = try GGUFHeader.parse(buffer)
            return header.tensors.map { header.dataOffset + $0.offset + $0.byteCount }.max() ?? 0
        }
        #expect(failures.allSatisfy { $0 >= lastTensorEnd }, "prefixes that parsed: \(failures.prefix(5))")
    }

    /// Random byte corruption anywhere in the header gives either a valid parse or an error, never a crash.
    @Test func randomCorruptionNeverCrashes() throws {
        let original = try GGUFSamples.writer().encoded()
        var rng = SeededGenerator(seed: 42)
        var errors = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<1200, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            let failed = bytes.withUnsafeBytes { buffer in
                (try? GGUFHeader.parse(buffer)) == nil
            }
            if failed { errors += 1 }
        }
        #expect(errors > 0)
    }

    /// A file with one tensor `t` and no metadata: the tensor info starts at offset 24 and its dimension count sits
    /// at offset 24 + 8 + 1 = 33.
    static func oneTensorFile() throws -> [UInt8] {
        var writer = GGUFWriter()
        try writer.addTensor(name: "t", shape: [32, 2], type: .q4_0, data: [UInt8](repeating: 0, count: 36))
        return writer.encoded()
    }

    static func patched(_ bytes: [UInt8], at offset: Int, _ patch: [UInt8]) -> [UInt8] {
        var copy = bytes
        copy.replaceSubrange(offset..<(offset + patch.count), with: patch)
        return copy
    }

    static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func le64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    struct Corruption: Sendable, CustomTestStringConvertible {
        let name: String
        let offset: Int
        let patch: [UInt8]
        let expectedOffset: Int
        let expectedText: String
        var testDescription: String { name }
    }

    static let corruptions: [Corruption] = [
        Corruption(
            name: "magic", offset: 0, patch: Array("GGML".utf8), expectedOffset: 0, expectedText: "not a GGUF file"),
        Corruption(
            name: "version 1", offset: 4, patch: le32(1), expectedOffset: 4,
            expectedText: "version 1 used 32-bit counts"),
        Corruption(
            name: "big-endian", offset: 4, patch: le32(UInt32(3).byteSwapped), expectedOffset: 4,
            expectedText: "big-endian"),
        Corruption(
            name: "tensor count", offset: 8, patch: le64(1 << 40), expectedOffset: 8,
            expectedText: "the tensor count claims 1099511627776 items"),
        Corruption(
            name: "name length", offset: 24, patch: le64(1 << 62), expectedOffset: 24,
            expectedText: "the length of the name of tensor info 0"),
        Corruption(
            name: "dimensions", offset: 33, patch: le32(7), expectedOffset: 33,
            expectedText: "tensor info 0 `t` has 7 dimensions; GGUF allows 1 to 4"),
        Corruption(
            name: "zero dimensions", offset: 33, patch: le32(0), expectedOffset: 33, expectedText: "has 0 dimensions"),
        Corruption(
            name: "row length", offset: 37, patch: le64(33), expectedOffset: 37,
            expectedText: "rows of 33 elements, not a multiple of the Q4_0 block size 32"),
        Corruption(
            name: "huge dimension", offset: 45, patch: le64(UInt64.max), expectedOffset: 45,
            expectedText: "Dimension 1 of tensor info 0 `t`"),
        Corruption(name: "type", offset: 53, patch: le32(4), expectedOffset: 53, expectedText: "has ggml type 4"),
        Corruption(
            name: "misaligned", offset: 57, patch: le64(3), expectedOffset: 57,
            expectedText: "not a multiple of the alignment 32"),
        Corruption(
            name: "data past end", offset: 57, patch: le64(64), expectedOffset: 160,
            expectedText: "needs 36 bytes of data from offset 160"),
    ]

    @Test(arguments: corruptions)
    func corruptHeaderNamesOffsetAndField(corruption: Corruption) throws {
        let bytes = Self.patched(try Self.oneTensorFile(), at: corruption.offset, corruption.patch)
        let error = bytes.withUnsafeBytes { buffer in
            #expect(throws: GGUFError.self) { try GGUFHeader.parse(buffer) }
        }
        #expect(error?.offset == corruption.expectedOffset, "\(String(describing: error))")
        #expect(error?.description.contains(corruption.expectedText) == true, "\(String(describing: error))")
    }

    /// Metadata errors: a file with the single key `k` whose value type sits at offset 24 + 8 + 1 = 33.
    static func oneKeyFile(_ value: GGUFValue) throws -> [UInt8] {
        var writer = GGUFWriter()
        try writer.set("k", value)
        return writer.encoded()
    }

    @Test func metadataCorruptionsNameTheKey() throws {
        let badType = Self.patched(try Self.oneKeyFile(.uint8(1)), at: 33, Self.le32(13))
        let badBool = Self.patched(try Self.oneKeyFile(.bool(true)), at: 37, [2])
        let hugeArray = Self.patched(try Self.oneKeyFile(.array(.uint64([1]))), at: 41, Self.le64(1 << 50))
        let badUTF8 = Self.patched(try Self.oneKeyFile(.string("ab")), at: 45, [0xC3, 0x28])
        var duplicate = try Self.oneKeyFile(.uint8(1))
        duplicate = Self.patched(duplicate, at: 16, Self.le64(2))
        duplicate.insert(contentsOf: Array(duplicate[24..<38]), at: 38)
        let badAlignment = try {
            var writer = GGUFWriter()
            try writer.set("general.alignment", .uint32(32))
            return Self.patched(writer.encoded(), at: 24 + 8 + 17 + 4, Self.le32(48))
        }()
        let cases: [([UInt8], Int?, String)] = [
            (badType, 33, "metadata `k` has value type 13"),
            (badBool, 37, "BOOL with byte value 2"),
            (hugeArray, 41, "the element count of metadata `k` claims 1125899906842624 items"),
            (badUTF8, 37, "metadata `k` is not valid UTF-8"),
            (duplicate, 38, "Metadata key `k` (entry 1) appears twice"),
            (badAlignment, nil, "`general.alignment` is uint32(48)"),
        ]
        for (bytes, offset, text) in cases {
            let error = bytes.withUnsafeBytes { buffer in
                #expect(throws: GGUFError.self) { try GGUFHeader.parse(buffer) }
            }
            #expect(error?.offset == offset, "\(String(describing: error))")
            #expect(error?.description.contains(text) == true, "\(String(describing: error))")
        }
    }

    @Test func missingFileNamesThePath() throws {
        let error = #expect(throws: GGUFError.self) { try GGUFFile(path: "/nonexistent/model.gguf") }
        #expect(error?.description == "/nonexistent/model.gguf: Cannot open the file: No such file or directory.")
    }

    @Test func directoryAndMissingTensorAreClearErrors() throws {
        let directory = try TemporaryDirectory()
        let notFile = #expect(throws: GGUFError.self) { try GGUFFile(path: directory.path) }
        #expect(
            notFile?.description == "\(directory.path): The path is not a regular file; pass the path of a .gguf file.")
        let path = directory.file("one.gguf")
        try Data(try Self.oneTensorFile()).write(to: URL(fileURLWithPath: path))
        let file = try GGUFFile(path: path)
        #expect(try file.data(named: "t").count == 36)
        let missing = #expect(throws: GGUFError.self) { try file.data(named: "u") }
        #expect(missing?.description == "\(path): The file has no tensor named `u`.")
    }

    @Test func truncatedFileOnDiskNamesPathAndOffset() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("cut.gguf")
        let bytes = try Self.oneTensorFile()
        try Data(bytes[0..<40]).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: GGUFError.self) { try GGUFFile(path: path) }
        #expect(
            error?.description.hasPrefix("\(path): offset 37: the dimensions of tensor info 0 `t` needs 16 bytes")
                == true, "\(String(describing: error))")
    }
}

struct GGUFWriterTests {
    @Test func rejectsInvalidTensorsAndAlignment() throws {
        var writer = GGUFWriter()
        let cases: [(String, () throws -> Void, String)] = [
            (
                "size", { try writer.addTensor(name: "a", shape: [32], type: .q4_0, data: [0]) },
                "Tensor `a` of shape [32] and type Q4_0 needs 18 bytes of data, but 1 were given."
            ),
            (
                "rows", { try writer.addTensor(name: "a", shape: [33], type: .q8_0, data: []) },
                "Tensor `a` has rows of 33 elements; Q8_0 needs a multiple of 32."
            ),
            (
                "dims", { try writer.addTensor(name: "a", shape: [1, 1, 1, 1, 1], type: .f32, data: [0, 0, 0, 0]) },
                "Tensor `a` has shape [1, 1, 1, 1, 1]; give 1 to 4 non-negative dimensions."
            ),
            (
                "name",
                {
                    try writer.addTensor(
                        name: String(repeating: "n", count: 64), shape: [1], type: .f32, data: [0, 0, 0, 0])
                },
                "Tensor name `\(String(repeating: "n", count: 64))` must be 1 to 63 bytes long."
            ),
            (
                "alignment", { try writer.set("general.alignment", .uint32(48)) },
                "`general.alignment` must be a UINT32 power of two such as 32, not uint32(48)."
            ),
        ]
        for (name, action, message) in cases {
            let error = #expect(throws: GGUFError.self, "\(name)") { try action() }
            #expect(error?.description == message)
        }
        try writer.addTensor(name: "a", shape: [1], type: .f32, data: [0, 0, 0, 0])
        let duplicate = #expect(throws: GGUFError.self) {
            try writer.addTensor(name: "a", shape: [1], type: .f32, data: [0, 0, 0, 0])
        }
        #expect(duplicate?.description == "A tensor named `a` was already added; names must be unique.")
        let late = #expect(throws: GGUFError.self) { try writer.set("general.alignment", .uint32(64)) }
        #expect(late?.description == "Set `general.alignment` before adding tensors; their offsets depend on it.")
    }

    @Test func replacingAKeyKeepsItsPosition() throws {
        var writer = GGUFWriter()
        try writer.set("a", .uint8(1))
        try writer.set("b", .uint8(2))
        try writer.set("a", .string("x"))
        #expect(writer.metadata.map(\.key) == ["a", "b"])
        #expect(writer.metadata.first?.value == .string("x"))
    }

    @Test func unwritablePathNamesIt() throws {
        let error = #expect(throws: GGUFError.self) { try GGUFWriter().write(to: "/nonexistent/dir/out.gguf") }
        #expect(error?.description == "/nonexistent/dir/out.gguf: Cannot create the file: No such file or directory.")
    }
}
