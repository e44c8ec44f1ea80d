import Testing

@testable import Engine

struct ModelCacheTests {
    @Test(arguments: [
        (["BALLAST_MODEL_CACHE": "/m", "XDG_CACHE_HOME": "/x"], "/m"),
        (["BALLAST_MODEL_CACHE": "", "XDG_CACHE_HOME": "/x"], "/x/ballast/models"),
        ([:], "/home/u/.cache/ballast/models"),
    ])
    func directoryFromEnvironment(environment: [String: String], expected: String) {
        #expect(ModelCache(environment: environment, home: "/home/u").directory == expected)
    }

    @Test func resolvesNamesAndPaths() throws {
        let cache = ModelCache(directory: "/c")
        let present: Set<String> = ["/c/SmolLM2-135M-Instruct.Q4_1.gguf", "/tmp/m.gguf"]
        #expect(try cache.resolve("smollm2-135m") { present.contains($0) } == "/c/SmolLM2-135M-Instruct.Q4_1.gguf")
        #expect(try cache.resolve("SmolLM2-135M") { present.contains($0) } == "/c/SmolLM2-135M-Instruct.Q4_1.gguf")
        #expect(try cache.resolve("/tmp/m.gguf") { present.contains($0) } == "/tmp/m.gguf")
    }

    @Test(arguments: [
        ("smollm2-135m", "`ballast model pull smollm2-135m`"),
        ("/nope.gguf", "No model file at `/nope.gguf`"),
    ])
    func missingModelsSayWhatToDo(argument: String, message: String) {
        #expect {
            try ModelCache(directory: "/c").resolve(argument) { _ in false }
        } throws: { error in
            (error as? ModelCacheError)?.description.contains(message) == true
        }
    }

    @Test func knownModelMatchesCISetup() {
        #expect(KnownModel.smolLM2.fileName == TestModel.fileName)
        #expect(KnownModel.smolLM2.byteCount == 98_362_432)
    }

    @Test func summaryOfATinyModel() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel(extraMetadata: [("general.file_type", .uint32(3))]).model(in: directory)
        let summary = ModelFileSummary(file: model.file)
        #expect(summary.architecture == "llama")
        #expect(summary.weightType == "Q4_1")
        #expect(summary.tensorCount == model.file.tensors.count)
        #expect(summary.parameterCount == model.file.tensors.reduce(0) { $0 + $1.elementCount })
    }
}
