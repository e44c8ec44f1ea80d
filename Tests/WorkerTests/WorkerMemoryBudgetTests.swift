import Engine
import Testing

@testable import Worker

/// `--memory-budget` sizes the KV pool: what the weights leave, in pages of halves, and a clear error with the
/// budget to ask for when the weights leave no room.
struct WorkerMemoryBudgetTests {
    /// Bytes of one page of the tiny test model, counted independently: keys and values, two bytes each.
    static func pageBytes(_ model: Model, pageSize: Int) -> Int {
        model.configuration.layerCount * 2 * pageSize * model.configuration.keyValueLength * 2
    }

    static func configuration(budget: Int, context: Int = 64) -> WorkerConfiguration {
        WorkerConfiguration(
            modelPath: TestModel.path, memoryBudgetBytes: budget,
            scheduler: SchedulerConfiguration(maximumBatchSize: 32, pageSize: 16), threadCount: 1,
            contextLength: context)
    }

    @Test(arguments: [1, 5, 37])
    func theBudgetLeftByTheWeightsBecomesPages(pages: Int) throws {
        let model = try Model(path: TestModel.path)
        let weights = model.file.header.tensors.reduce(0) { $0 + $1.byteCount }
        let page = Self.pageBytes(model, pageSize: 16)
        // Half a page to spare: the pool takes whole pages only.
        let server = try WorkerServer(configuration: Self.configuration(budget: weights + pages * page + page / 2))
        #expect(server.configuration.pageCount == pages)
    }

    @Test func aBudgetBelowTheWeightsNamesTheBudgetToAskFor() throws {
        let model = try Model(path: TestModel.path)
        let weights = model.file.header.tensors.reduce(0) { $0 + $1.byteCount }
        let page = Self.pageBytes(model, pageSize: 16)
        let error = #expect(throws: WorkerConfigurationError.self) {
            try WorkerServer(configuration: Self.configuration(budget: weights / 2, context: 64))
        }
        let message = error?.description ?? ""
        #expect(message.contains("leaves no room for the KV cache"), "\(message)")
        // A 64-token context needs four 16-token pages.
        #expect(message.contains("raise --memory-budget to at least \(weights + 4 * page) bytes"), "\(message)")
    }
}
