import Testing

@testable import Engine

#if canImport(Glibc)
    import Glibc
#endif

/// The KV pool's memory becomes resident only where sequences write, so a worker's memory follows its load.
struct KVCacheStorageTests {
    /// Pages of `buffer` resident now, from `mincore`.
    static func residentPages(_ buffer: UnsafeMutableBufferPointer<UInt16>) throws -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let bytes = buffer.count * MemoryLayout<UInt16>.stride
        var vector = [UInt8](repeating: 0, count: (bytes + page - 1) / page)
        let base = try #require(buffer.baseAddress)
        let status = vector.withUnsafeMutableBufferPointer { mincore(base, bytes, $0.baseAddress) }
        try #require(status == 0, "mincore failed: \(String(cString: strerror(errno)))")
        return vector.filter { $0 & 1 == 1 }.count
    }

    @Test func onlyWrittenPagesBecomeResident() throws {
        // 30 layers × 64 pages × 2 × 256 tokens × 192 halves: 377 MB of pool.
        let storage = KVCacheStorage(layerCount: 30, pageCount: 64, pageSize: 256, keyValueLength: 192)
        let systemPage = Int(sysconf(Int32(_SC_PAGESIZE)))
        #expect(try Self.residentPages(storage.buffer) == 0, "a fresh pool holds no resident pages")
        #expect(storage.byteCount == 30 * 64 * 2 * 256 * 192 * 2)
        // One token of layer 0, page 3: keys and values.
        let slot = 3 * storage.pageStride
        storage.buffer[slot] = 1
        storage.buffer[slot + storage.valueOffset] = 2
        let resident = try Self.residentPages(storage.buffer)
        #expect(resident >= 1 && resident <= 2, "\(resident) pages of \(systemPage) bytes are resident")
        #expect(storage.buffer[slot + 1] == 0 && storage.buffer[slot + storage.valueOffset] == 2)
    }
}
