import Testing

@testable import Engine

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
        let huge = #expect(throws: GGUFError.self) {
            try writer.addTensor(name: "h", shape: [Int.max / 2, 4], type: .f32, data: [])
        }
        #expect(huge?.description == "Tensor `h` of shape [\(Int.max / 2), 4] is too large to address.")
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
