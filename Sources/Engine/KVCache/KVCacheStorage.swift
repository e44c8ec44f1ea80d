/// The memory of a paged KV cache: for every layer and every page of the pool, the keys and then the values of
/// ``pageSize`` tokens in F32.
///
/// Layout, in floats: layer `l`, page `p`, slot `s` keeps its keys at
/// `l · layerStride + p · pageStride + s · keyValueLength` and its values ``valueOffset`` further. Keeping a page's
/// keys contiguous makes the attention's pass over a page one sequential read. Which sequence owns which page is
/// ``KVPageTable``'s business; this type only holds the floats.
final class KVCacheStorage {
    let layerCount: Int
    let pageCount: Int
    let pageSize: Int
    let keyValueLength: Int
    let buffer: UnsafeMutableBufferPointer<Float>

    init(layerCount: Int, pageCount: Int, pageSize: Int, keyValueLength: Int) {
        self.layerCount = layerCount
        self.pageCount = pageCount
        self.pageSize = pageSize
        self.keyValueLength = keyValueLength
        buffer = .allocate(capacity: layerCount * pageCount * 2 * pageSize * keyValueLength)
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    /// Floats from a page's keys to its values.
    var valueOffset: Int { pageSize * keyValueLength }
    /// Floats from one page to the next within a layer.
    var pageStride: Int { 2 * pageSize * keyValueLength }
    /// Floats from one layer's pool to the next.
    var layerStride: Int { pageCount * pageStride }
    /// Bytes held.
    var byteCount: Int { buffer.count * MemoryLayout<Float>.stride }

    /// The pool of layer `layer`.
    func layer(_ layer: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: buffer[(layer * layerStride)..<((layer + 1) * layerStride)])
    }
}
