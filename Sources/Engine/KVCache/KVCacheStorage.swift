#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The memory of a paged KV cache: for every layer and every page of the pool, the keys and then the values of
/// ``pageSize`` tokens in F32.
///
/// Layout, in floats: layer `l`, page `p`, slot `s` keeps its keys at
/// `l · layerStride + p · pageStride + s · keyValueLength` and its values ``valueOffset`` further. Keeping a page's
/// keys contiguous makes the attention's pass over a page one sequential read. Which sequence owns which page is
/// ``KVPageTable``'s business; this type only holds the floats.
///
/// The pool is an anonymous mapping, zero-filled by the kernel on first touch, so resident memory grows with the
/// pages sequences actually write rather than with the pool's size.
final class KVCacheStorage {
    let layerCount: Int
    let pageCount: Int
    let pageSize: Int
    let keyValueLength: Int
    let buffer: UnsafeMutableBufferPointer<Float>
    private let isMapped: Bool

    init(layerCount: Int, pageCount: Int, pageSize: Int, keyValueLength: Int) {
        self.layerCount = layerCount
        self.pageCount = pageCount
        self.pageSize = pageSize
        self.keyValueLength = keyValueLength
        let count = layerCount * pageCount * 2 * pageSize * keyValueLength
        let bytes = max(1, count) * MemoryLayout<Float>.stride
        if let base = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            base != MAP_FAILED
        {
            buffer = UnsafeMutableBufferPointer(start: base.bindMemory(to: Float.self, capacity: count), count: count)
            isMapped = true
        } else {
            // Without a mapping (an unusual system limit), fall back to ordinary memory, zeroed up front.
            buffer = .allocate(capacity: count)
            buffer.initialize(repeating: 0)
            isMapped = false
        }
    }

    deinit {
        if isMapped, let base = buffer.baseAddress {
            munmap(base, max(1, buffer.count) * MemoryLayout<Float>.stride)
        } else {
            buffer.deallocate()
        }
    }

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
