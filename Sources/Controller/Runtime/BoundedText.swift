/// Bytes kept from a stream up to a limit, the rest counted but dropped, so a chatty program cannot fill memory.
struct BoundedText: Sendable {
    /// Most bytes kept.
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var dropped = 0

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Keeps what fits of `chunk` and counts the rest.
    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        let room = limit - bytes.count
        if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
        dropped += max(0, chunk.count - max(0, room))
    }

    /// The kept bytes as UTF-8 text, with `… (cut N bytes)` at the end when bytes were dropped.
    var text: String {
        let kept = String(decoding: bytes, as: UTF8.self)
        return dropped > 0 ? kept + "… (cut \(dropped) bytes)" : kept
    }
}
