/// A bounds-checked little-endian reader over raw bytes.
///
/// Every read checks the remaining length first and throws a ``GGUFError`` naming the offset and the field being
/// read, so a truncated or corrupt file can never cause an out-of-bounds access.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    /// Throws unless `count` more bytes are available for `field`.
    func require(_ count: Int, for field: @autoclosure () -> String) throws(GGUFError) {
        guard count >= 0, count <= remaining else {
            throw GGUFError(
                offset: offset,
                "\(field()) needs \(count) bytes but only \(remaining) remain; the file is truncated or corrupt."
            )
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, for field: @autoclosure () -> String) throws(GGUFError) -> T {
        try require(MemoryLayout<T>.size, for: field())
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    mutating func readFloat(for field: @autoclosure () -> String) throws(GGUFError) -> Float {
        Float(bitPattern: try read(UInt32.self, for: field()))
    }

    mutating func readDouble(for field: @autoclosure () -> String) throws(GGUFError) -> Double {
        Double(bitPattern: try read(UInt64.self, for: field()))
    }

    /// Reads a 64-bit count and checks it fits in the remaining bytes at `minimumSize` bytes per item, which caps
    /// array and string lengths without trusting the file.
    mutating func readCount(minimumSize: Int, for field: @autoclosure () -> String) throws(GGUFError) -> Int {
        let start = offset
        let raw = try read(UInt64.self, for: field())
        let limit = minimumSize == 0 ? UInt64(remaining) : UInt64(remaining / minimumSize)
        guard raw <= limit else {
            throw GGUFError(
                offset: start,
                "\(field()) claims \(raw) items of at least \(minimumSize) bytes each, but only \(remaining) bytes "
                    + "remain; the file is truncated or corrupt."
            )
        }
        return Int(raw)
    }

    /// Reads a GGUF string: a 64-bit byte length followed by UTF-8 bytes (no terminator).
    mutating func readString(for field: @autoclosure () -> String) throws(GGUFError) -> String {
        let start = offset
        let length = try readCount(minimumSize: 1, for: "the length of \(field())")
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
        guard let string = String(validating: slice.bindMemory(to: UInt8.self), as: UTF8.self) else {
            throw GGUFError(
                offset: start,
                "\(field()) is not valid UTF-8; GGUF strings are UTF-8 encoded. The file is corrupt."
            )
        }
        offset += length
        return string
    }

    /// Reads `count` fixed-width values in one bounds check.
    mutating func readArray<T: FixedWidthInteger>(
        _: T.Type, count: Int, for field: @autoclosure () -> String
    ) throws(GGUFError) -> [T] {
        let (size, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.size)
        guard !overflow else {
            throw GGUFError(offset: offset, "\(field()) has \(count) elements, too many to address.")
        }
        try require(size, for: field())
        let base = offset
        let values = (0..<count).map { index in
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: base + index * MemoryLayout<T>.size, as: T.self))
        }
        offset += size
        return values
    }

    /// Moves to `newOffset`, which must lie within the bytes.
    mutating func seek(to newOffset: Int, for field: @autoclosure () -> String) throws(GGUFError) {
        guard newOffset >= 0, newOffset <= bytes.count else {
            throw GGUFError(
                offset: offset,
                "\(field()) starts at offset \(newOffset), past the end of the \(bytes.count)-byte file; "
                    + "the file is truncated."
            )
        }
        offset = newOffset
    }
}
