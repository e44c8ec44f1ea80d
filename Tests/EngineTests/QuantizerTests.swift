import Foundation
import Testing

@testable import Engine

struct QuantizerTests {
    static func info(_ name: String, _ shape: [Int], _ type: TensorType) -> GGUFTensorInfo {
        GGUFTensorInfo(name: name, shape: shape, type: type, offset: 0)
    }

    static let tiedTensors = [
        info("token_embd.weight", [64, 300], .q8_0),
        info("blk.0.attn_norm.weight", [64], .f32),
        info("blk.0.attn_q.weight", [64, 64], .q4_1),
        info("blk.0.attn_qkv.weight", [64, 192], .f16),
        info("blk.0.ffn_down.weight", [128, 64], .f32),
        info("output_norm.weight", [64], .f32),
    ]

    @Test(arguments: [
        (TensorType.q4_0, [String](), ["q8_0", "f32", "q4_0", "q4_0", "q4_0", "f32"]),
        (.q8_0, ["attn_q"], ["q8_0", "f32", "q4_1", "q8_0", "q8_0", "f32"]),
        (.q4_1, ["blk.0.*"], ["q8_0", "f32", "q4_1", "f16", "f32", "f32"]),
    ])
    func planPicksTypes(target: TensorType, keep: [String], expected: [String]) throws {
        let plan = try QuantizationPlan(tensors: Self.tiedTensors, target: target, keep: keep)
        #expect(plan.entries.map(\.targetType.name) == expected)
    }

    @Test func untiedEmbeddingFollowsTargetAndOutputBecomesQ8() throws {
        let tensors = Self.tiedTensors + [Self.info("output.weight", [64, 300], .q4_1)]
        let plan = try QuantizationPlan(tensors: tensors, target: .q4_0)
        #expect(plan.entries.first?.targetType == .q4_0)
        #expect(plan.entries.last?.targetType == .q8_0)
        #expect(plan.entries.last?.reason == .outputProjection)
    }

    @Test(arguments: [
        ("attn_q", "blk.3.attn_q.weight", true),
        ("attn_q", "blk.3.attn_qkv.weight", false),
        ("blk.3.attn_q.weight", "blk.3.attn_q.weight", true),
        ("blk.1*", "blk.12.ffn_up.weight", true),
        ("*.ffn_*", "blk.0.attn_k.weight", false),
        ("*up*", "blk.0.ffn_up.weight", true),
    ])
    func patternsMatchNameParts(pattern: String, name: String, matches: Bool) {
        #expect(QuantizationPlan.pattern(pattern, matches: name) == matches)
    }

    @Test(arguments: [
        ([info("blk.0.ffn_up.weight", [48, 4], .f32)], TensorType.q4_0, [String](), "are not a multiple of 32"),
        ([info("blk.0.ffn_up.weight", [256, 4], .q6_K)], .q4_0, [], "is Q6_K; ballast quantize reads F32"),
        ([info("blk.0.ffn_up.weight", [64, 4], .f32)], .f16, [], "choose --type q4_0, q4_1 or q8_0"),
        ([info("blk.0.ffn_up.weight", [64, 4], .f32)], .q4_0, ["attn_q", ""], "A --keep pattern is empty"),
    ])
    func planRejectsBadInput(tensors: [GGUFTensorInfo], target: TensorType, keep: [String], message: String) {
        #expect {
            try QuantizationPlan(tensors: tensors, target: target, keep: keep)
        } throws: { error in
            (error as? QuantizerError)?.description.contains(message) == true
        }
    }

    @Test(arguments: [(TensorType.q4_0, 2), (.q4_1, 3), (.q8_0, 7), (.f16, 1), (.f32, 0)])
    func fileTypesMatchLlamaCpp(type: TensorType, number: Int) {
        #expect(QuantizationPlan.fileType(of: type).map(Int.init) == number)
        #expect(QuantizationPlan.weightType(ofFileType: number) == type)
    }

    /// A quantized tiny model keeps its metadata, gets the planned types with data equal to the reference
    /// quantizer's output of the dequantized input, loads in the engine and stays close to the original.
    @Test(arguments: [TensorType.q8_0, .q4_0, .q4_1])
    func quantizesATinyModel(target: TensorType) throws {
        let directory = try TemporaryDirectory()
        let original = try TinyModel(withVocabulary: true).model(in: directory, name: "in.gguf")
        let plan = try QuantizationPlan(tensors: original.file.tensors, target: target, keep: ["attn_v"])
        var progress: [ModelQuantizer.Progress] = []
        let output = directory.file("out.gguf")
        let report = try ModelQuantizer.quantize(original.file, plan: plan, to: output) { progress.append($0) }
        #expect(progress.count == original.file.tensors.count)
        #expect(progress.last?.bytesDone == progress.last?.byteCount)
        #expect(!FileManager.default.fileExists(atPath: output + ".part"))

        let written = try GGUFFile(path: output)
        #expect(report.outputFileBytes == written.file.bytes.count)
        #expect(written["general.file_type"] == .uint32(QuantizationPlan.fileType(of: target) ?? 99))
        #expect(written["tokenizer.ggml.tokens"] == original.file["tokenizer.ggml.tokens"])
        for (tensor, entry) in zip(written.tensors, plan.entries) {
            #expect(tensor.type == entry.targetType, "\(tensor.name)")
            let source = try #require(original.file.header.tensor(named: tensor.name))
            let input = Array(try original.file.data(of: source))
            let expected =
                entry.copiesBytes
                ? input
                : try Quantization.quantize(
                    try Quantization.dequantize(input, as: source.type, count: source.elementCount), as: tensor.type)
            #expect(Array(try written.data(of: tensor)) == expected, "\(tensor.name)")
        }
        let quantized = try Model(path: output)
        let evaluator = try ModelEvaluator(reference: original, candidate: quantized, threads: 1, batchSize: 2)
        let comparison = try evaluator.compare([[1, 5, 9, 40, 2], [7, 7, 100]])
        #expect(comparison.overall.count == 8)
        #expect(comparison.overall.meanKL < (target == .q8_0 ? 0.01 : 0.2))
    }

    @Test func rejectsAPlanForAnotherFile() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel().model(in: directory)
        let plan = try QuantizationPlan(tensors: Array(model.file.tensors.dropLast()), target: .q4_0)
        #expect(throws: QuantizerError.self) {
            try ModelQuantizer.quantize(model.file, plan: plan, to: directory.file("out.gguf"))
        }
    }

    @Test func unwritableOutputNamesThePath() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel().model(in: directory)
        let plan = try QuantizationPlan(tensors: model.file.tensors, target: .q4_0)
        let path = directory.file("missing/out.gguf")
        #expect {
            try ModelQuantizer.quantize(model.file, plan: plan, to: path)
        } throws: { error in
            String(describing: error).contains(path)
        }
    }

    /// The PyPI `gguf` reader reads our output with the same tensor names, types and shapes.
    @Test(.enabled(if: PythonRunner.ggufAvailable))
    func pythonReaderReadsTheOutput() async throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel(withVocabulary: true).model(in: directory, name: "in.gguf")
        let plan = try QuantizationPlan(tensors: model.file.tensors, target: .q4_0)
        try ModelQuantizer.quantize(model.file, plan: plan, to: directory.file("out.gguf"))
        let dump = try await PythonRunner.json(
            """
            import json, sys
            from gguf import GGUFReader
            r = GGUFReader(sys.argv[1])
            print(json.dumps({'file_type': int(r.fields['general.file_type'].contents()),
                              'tensors': [[t.name, int(t.tensor_type), [int(x) for x in t.shape]] for t in r.tensors]}))
            """, [directory.file("out.gguf")])
        #expect(dump["file_type"] as? Int == 2)
        let tensors = try #require(dump["tensors"] as? [[Any]])
        #expect(tensors.map { $0[0] as? String } == plan.entries.map(\.name))
        #expect(tensors.map { $0[1] as? Int } == plan.entries.map { Int($0.targetType.rawValue) })
        #expect(tensors.map { $0[2] as? [Int] } == plan.entries.map(\.shape))
    }
}
