#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The memory of a paged KV cache: for every layer and every page of the pool, the keys and then the values of
/// ``pageSize`` tokens as IEEE halves (F16, llama.cpp's default cache type).
///
/// Halves because attention reads every cached token of every running sequence at every step: with sixteen
/// sequences of a few hundred tokens that is more bytes per step than the INT4 weights, and halves make it half
/// of what F32 would be (and fit twice the tokens in a memory budget). Keys and values come out of the model's
/// projections in F32 and are rounded to nearest once, when stored.
///
/// Layout, in halves: layer `l`, page `p`, slot `s` keeps its keys at
/// `l · layerStride + p · pageStride + s · keyValueLength` and its values ``valueOffset`` further. Keeping a page's
/// keys contiguous makes the attention's pass over a page one sequential read. Which sequence owns which page is
/// ``KVPageTable``'s business; this type only holds the values.
///
/// The pool is an anonymous mapping, zero-filled by the kernel on first touch, so resident memory grows with the
/// pages sequences actually write rather than with the pool's size.
final class KVCacheStorage {
    let layerCount: Int
    let pageCount: Int
    let pageSize: Int
    let keyValueLength: Int
    /// The pool, as IEEE half bit patterns.
    let buffer: UnsafeMutableBufferPointer<UInt16>
    private let isMapped: Bool

    init(layerCount: Int, pageCount: Int, pageSize: Int, keyValueLength: Int) {
        self.layerCount = layerCount
        self.pageCount = pageCount
        self.pageSize = pageSize
        self.keyValueLength = keyValueLength
        let count = layerCount * pageCount * 2 * pageSize * keyValueLength
        let bytes = max(1, count) * MemoryLayout<UInt16>.stride
        if let base = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            base != MAP_FAILED
        {
            buffer = UnsafeMutableBufferPointer(start: base.bindMemory(to: UInt16.self, capacity: count), count: count)
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
            munmap(base, max(1, buffer.count) * MemoryLayout<UInt16>.stride)
        } else {
            buffer.deallocate()
        }
    }

    /// Halves from a page's keys to its values.
    var valueOffset: Int { pageSize * keyValueLength }
    /// Halves from one page to the next within a layer.
    var pageStride: Int { 2 * pageSize * keyValueLength }
    /// Halves from one layer's pool to the next.
    var layerStride: Int { pageCount * pageStride }
    /// Bytes held.
    var byteCount: Int { buffer.count * MemoryLayout<UInt16>.stride }

    /// Bytes of one page over `layerCount` layers: keys and values of `pageSize` tokens.
    static func bytesPerPage(layerCount: Int, pageSize: Int, keyValueLength: Int) -> Int {
        layerCount * 2 * pageSize * keyValueLength * MemoryLayout<UInt16>.stride
    }

    /// The pool of layer `layer`.
    func layer(_ layer: Int) -> UnsafeMutableBufferPointer<UInt16> {
        UnsafeMutableBufferPointer(rebasing: buffer[(layer * layerStride)..<((layer + 1) * layerStride)])
    }
}
