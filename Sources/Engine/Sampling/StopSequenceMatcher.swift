/// Turns the bytes of generated tokens into text that is safe to show, and ends generation at a stop sequence.
///
/// Text that could still become the start of a stop sequence is held back until the next token decides it, as is
/// a UTF-8 character split across tokens, so the caller never shows text it would have to take back and never
/// shows half a character. The stop sequence itself is never returned.
public struct StopSequenceMatcher: Sendable, Equatable {
    /// What one ``append(_:)`` produced.
    public enum Output: Sendable, Equatable {
        /// Text now safe to show (possibly empty); generation goes on.
        case text(String)
        /// A stop sequence appeared: the text before it, not yet shown; generation ends.
        case stopped(String)
    }

    private let stops: [[UInt8]]
    private var pending: [UInt8] = []
    private var stopped = false

    /// A matcher for `stopSequences` (empty strings are ignored).
    public init(stopSequences: [String]) {
        stops = stopSequences.map { Array($0.utf8) }.filter { !$0.isEmpty }
    }

    /// Adds the bytes of the next token and returns what can be shown now.
    ///
    /// After a ``Output/stopped(_:)`` every call returns `.stopped("")`.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> Output {
        guard !stopped else { return .stopped("") }
        pending.append(contentsOf: bytes)
        if let end = firstStop() {
            stopped = true
            let text = String(decoding: pending[..<end], as: UTF8.self)
            pending.removeAll()
            return .stopped(text)
        }
        let safe = min(pending.count - heldForStops(), completeUTF8Prefix())
        let text = String(decoding: pending[..<safe], as: UTF8.self)
        pending.removeFirst(safe)
        return .text(text)
    }

    /// The text still held back, when generation ends for another reason (end of text, length limit).
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return stopped ? "" : String(decoding: pending, as: UTF8.self)
    }

    /// The offset of the earliest stop sequence in the pending bytes.
    private func firstStop() -> Int? {
        var earliest: Int?
        for stop in stops where stop.count <= pending.count {
            var start = 0
            while start + stop.count <= pending.count, start < (earliest ?? .max) {
                if pending[start..<(start + stop.count)].elementsEqual(stop) {
                    earliest = start
                    break
                }
                start += 1
            }
        }
        return earliest
    }

    /// The length of the longest pending suffix that is a proper prefix of some stop sequence.
    private func heldForStops() -> Int {
        var held = 0
        for stop in stops {
            for length in stride(from: min(stop.count - 1, pending.count), to: held, by: -1)
            where pending[(pending.count - length)...].elementsEqual(stop[..<length]) {
                held = length
                break
            }
        }
        return held
    }

    /// Bytes of the pending data up to the start of a UTF-8 character whose bytes have not all arrived.
    private func completeUTF8Prefix() -> Int {
        // Look back at most 3 bytes for a lead byte whose sequence runs past the end.
        var index = pending.count - 1
        while index >= 0 && index >= pending.count - 3 {
            let byte = pending[index]
            if byte & 0xC0 != 0x80 {
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                return index + length > pending.count ? index : pending.count
            }
            index -= 1
        }
        return pending.count
    }
}
