/// Splits a server-sent event stream into events as its bytes arrive, in pieces of any size.
///
/// Follows the SSE format as OpenAI-compatible servers write it: fields `name: value` (the space is optional),
/// events ended by a blank line, LF or CR LF line ends. Besides `data`, it keeps `error`, which llama.cpp's server
/// writes for a failure in mid-stream (`error: {...}`); other fields and comments (`: ping`) are dropped.
struct EventStreamParser {
    /// One event: its `data` lines joined by LF, and its `error` field, when it has them.
    struct Event: Equatable {
        var data: [UInt8]?
        var error: [UInt8]?
    }

    private var pending: [UInt8] = []
    /// Where unread bytes start in `pending`; the read part is dropped only now and then, so parsing stays linear.
    private var start = 0

    /// An empty parser.
    init() {}

    /// Adds bytes that arrived.
    mutating func append(_ bytes: some Sequence<UInt8>) {
        // A raw CR can only end a line: JSON escapes it inside strings.
        for byte in bytes where byte != 13 { pending.append(byte) }
    }

    /// The next complete event, or `nil` until more bytes arrive.
    mutating func next() -> Event? {
        while let end = blankLine() {
            let block = pending[start..<end]
            start = end + 2
            if start > 4096 && start * 2 > pending.count {
                pending.removeFirst(start)
                start = 0
            }
            var event = Event()
            for line in block.split(separator: 10, omittingEmptySubsequences: true) {
                guard let colon = line.firstIndex(of: 58), colon != line.startIndex else { continue }
                var value = line[line.index(after: colon)...]
                if value.first == 32 { value = value.dropFirst() }
                switch Array(line[..<colon]) {
                case Array("data".utf8): event.data = event.data.map { $0 + [10] + value } ?? Array(value)
                case Array("error".utf8): event.error = Array(value)
                default: continue
                }
            }
            if event.data != nil || event.error != nil { return event }
        }
        return nil
    }

    /// Bytes not yet part of a complete event (what a stream that ends early leaves behind).
    var unread: Int { pending.count - start }

    /// The offset of the first LF LF at or after `start`.
    private func blankLine() -> Int? {
        guard pending.count - start >= 2 else { return nil }
        var i = start
        while i < pending.count - 1 {
            if pending[i] == 10 && pending[i + 1] == 10 { return i }
            i += 1
        }
        return nil
    }
}
