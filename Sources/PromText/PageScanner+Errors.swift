/// Byte helpers and the errors the scanner reports, each a sentence with the fix.
extension PageScanner {
    mutating func skipBlanks() {
        while position < count && start[position].isBlank { position += 1 }
    }

    func error(_ kind: PromTextError.Kind, _ message: String) -> PromTextError {
        error(kind, at: position, message)
    }

    func error(_ kind: PromTextError.Kind, at offset: Int, _ message: String) -> PromTextError {
        PromTextError(kind, line: lineNumber, column: offset - lineStart + 1, message: message)
    }

    func truncated() -> PromTextError {
        error(
            .truncated,
            "the page ends in the middle of line \(lineNumber), without a line feed; it was probably cut off in "
                + "transit, so scrape it again.")
    }

    func invalidUTF8(_ from: Int, _ end: Int, what: String) -> PromTextError {
        var offset = from
        let bytes = UnsafeBufferPointer(start: start + from, count: end - from)
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var consumed = 0
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                consumed += UTF8.width(scalar)
            case .emptyInput, .error:
                break decoding
            }
        }
        offset = from + consumed
        return error(
            .invalidUTF8, at: offset,
            "byte 0x\(String(start[min(offset, end - 1)], radix: 16, uppercase: true)) is not valid UTF-8 in this "
                + "\(what); pages must be UTF-8 encoded.")
    }

    /// The token at `offset` for an error message, at most 40 bytes.
    func token(_ offset: Int) -> String {
        var end = offset
        while end < count && end - offset < 40 && !start[end].isBlank && start[end] != .lineFeed
            && start[end] != .carriageReturn
        {
            end += 1
        }
        return String(decoding: UnsafeBufferPointer(start: start + offset, count: end - offset), as: UTF8.self)
    }

    func describe(_ offset: Int) -> String {
        guard offset < count else { return "the end of the page" }
        let byte = start[offset]
        switch byte {
        case .lineFeed: return "the end of the line"
        case 0x21...0x7E: return "`\(Character(Unicode.Scalar(byte)))`"
        default: return "byte 0x\(String(byte, radix: 16, uppercase: true))"
        }
    }

    func describeByte(_ offset: Int) -> String {
        guard offset < count else { return "" }
        let byte = start[offset]
        return (0x21...0x7E).contains(byte)
            ? String(Character(Unicode.Scalar(byte)))
            : "<0x\(String(byte, radix: 16, uppercase: true))>"
    }
}
