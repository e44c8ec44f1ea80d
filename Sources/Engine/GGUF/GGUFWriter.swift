#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Builds a GGUF file (version 3 by default) from metadata and tensors.
///
/// Tensors are laid out in the order added, each at an offset that is a multiple of the alignment and padded with
/// zero bytes, exactly as ggml's `gguf_write_to_file` does, so the PyPI `gguf` reader and llama.cpp read it back.
public struct GGUFWriter: Sendable {
    /// Format version written: 3 (the current one) unless set to 2 for old readers; the layout is the same.
    public var version: UInt32
    /// Metadata in the order it will be written.
    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    /// Tensor infos in the order they will be written; offsets are assigned as tensors are added.
    public private(set) var tensors: [GGUFTensorInfo] = []
    private var tensorData: [[UInt8]] = []
    private var dataSize = 0

    /// Makes an empty writer for format `version` (2 or 3; default 3).
    public init(version: UInt32 = 3) {
        self.version = version
    }

    /// Alignment of tensor data in bytes: `general.alignment` when set, else 32.
    public var alignment: Int {
        if case .uint32(let value)? = metadata.first(where: { $0.key == "general.alignment" })?.value {
            return Int(value)
        }
        return GGUFHeader.defaultAlignment
    }

    /// Adds or replaces the metadata value under `key`.
    ///
    /// - Throws: when `key` is `general.alignment` and the value is not a UINT32 power of two, or when tensors
    ///   were already added (their offsets depend on the alignment).
    public mutating func set(_ key: String, _ value: GGUFValue) throws(GGUFError) {
        if key == "general.alignment" {
            guard case .uint32(let a) = value, a > 0, a & (a - 1) == 0 else {
                throw GGUFError(
                    offset: nil, "`general.alignment` must be a UINT32 power of two such as 32, not \(value).")
            }
            guard tensors.isEmpty else {
                throw GGUFError(
                    offset: nil, "Set `general.alignment` before adding tensors; their offsets depend on it.")
            }
        }
        if let index = metadata.firstIndex(where: { $0.key == key }) {
            metadata[index].value = value
        } else {
            metadata.append((key, value))
        }
    }

    /// Adds a tensor with `shape` in ggml order (`shape[0]` is the row length) and its raw data in `type`'s block
    /// layout.
    ///
    /// - Throws: when the name is taken or too long, the shape has no or more than 4 dimensions, rows are not a
    ///   whole number of blocks, or `data` has the wrong size.
    public mutating func addTensor(name: String, shape: [Int], type: TensorType, data: [UInt8]) throws(GGUFError) {
        guard !name.isEmpty, name.utf8.count <= GGUFHeader.maximumNameBytes else {
            throw GGUFError(
                offset: nil, "Tensor name `\(name)` must be 1 to \(GGUFHeader.maximumNameBytes) bytes long.")
        }
        guard !tensors.contains(where: { $0.name == name }) else {
            throw GGUFError(offset: nil, "A tensor named `\(name)` was already added; names must be unique.")
        }
        guard (1...GGUFHeader.maximumDimensions).contains(shape.count), shape.allSatisfy({ $0 >= 0 }) else {
            throw GGUFError(
                offset: nil,
                "Tensor `\(name)` has shape \(shape); give 1 to \(GGUFHeader.maximumDimensions) non-negative dimensions."
            )
        }
        guard shape[0] % type.blockSize == 0 else {
            throw GGUFError(
                offset: nil,
                "Tensor `\(name)` has rows of \(shape[0]) elements; \(type) needs a multiple of \(type.blockSize).")
        }
        let info = GGUFTensorInfo(name: name, shape: shape, type: type, offset: dataSize)
        guard data.count == info.byteCount else {
            throw GGUFError(
                offset: nil,
                "Tensor `\(name)` of shape \(shape) and type \(type) needs \(info.byteCount) bytes of data, "
                    + "but \(data.count) were given.")
        }
        tensors.append(info)
        tensorData.append(data)
        dataSize += Self.padded(data.count, to: alignment)
    }

    /// The whole file as bytes.
    public func encoded() -> [UInt8] {
        var out = encodedHeader()
        out.reserveCapacity(out.count + dataSize)
        for data in tensorData {
            out += data
            out += [UInt8](repeating: 0, count: Self.padded(data.count, to: alignment) - data.count)
        }
        return out
    }

    /// Writes the file to `path`, replacing any file there.
    ///
    /// - Throws: ``GGUFError`` naming the path when the file cannot be created or written.
    public func write(to path: String) throws(GGUFError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw GGUFError(offset: nil, "Cannot create the file: \(String(cString: strerror(errno))).", path: path)
        }
        defer { close(fd) }
        let zeros = [UInt8](repeating: 0, count: alignment)
        var chunks: [[UInt8]] = [encodedHeader()]
        for data in tensorData {
            chunks.append(data)
            chunks.append(Array(zeros[0..<(Self.padded(data.count, to: alignment) - data.count)]))
        }
        for chunk in chunks {
            var written = 0
            while written < chunk.count {
                let result = chunk.withUnsafeBytes { buffer in
                    Glibc.write(fd, buffer.baseAddress.map { $0 + written }, chunk.count - written)
                }
                guard result > 0 else {
                    throw GGUFError(
                        offset: nil, "Cannot write the file: \(String(cString: strerror(errno))).", path: path)
                }
                written += result
            }
        }
    }

    /// Header bytes: magic, version, counts, metadata, tensor infos and padding up to the data section.
    func encodedHeader() -> [UInt8] {
        var out: [UInt8] = GGUFHeader.magic
        append(version, to: &out)
        append(UInt64(tensors.count), to: &out)
        append(UInt64(metadata.count), to: &out)
        for (key, value) in metadata {
            appendString(key, to: &out)
            append(value.type.rawValue, to: &out)
            appendValue(value, to: &out)
        }
        for tensor in tensors {
            appendString(tensor.name, to: &out)
            append(UInt32(tensor.shape.count), to: &out)
            for dim in tensor.shape { append(UInt64(dim), to: &out) }
            append(tensor.type.rawValue, to: &out)
            append(UInt64(tensor.offset), to: &out)
        }
        out += [UInt8](repeating: 0, count: Self.padded(out.count, to: alignment) - out.count)
        return out
    }

    static func padded(_ size: Int, to alignment: Int) -> Int {
        (size + alignment - 1) / alignment * alignment
    }

    private func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    private func appendString(_ string: String, to out: inout [UInt8]) {
        append(UInt64(string.utf8.count), to: &out)
        out += string.utf8
    }

    private func appendValue(_ value: GGUFValue, to out: inout [UInt8]) {
        switch value {
        case .uint8(let v): append(v, to: &out)
        case .int8(let v): append(v, to: &out)
        case .uint16(let v): append(v, to: &out)
        case .int16(let v): append(v, to: &out)
        case .uint32(let v): append(v, to: &out)
        case .int32(let v): append(v, to: &out)
        case .uint64(let v): append(v, to: &out)
        case .int64(let v): append(v, to: &out)
        case .float32(let v): append(v.bitPattern, to: &out)
        case .float64(let v): append(v.bitPattern, to: &out)
        case .bool(let v): append(UInt8(v ? 1 : 0), to: &out)
        case .string(let v): appendString(v, to: &out)
        case .array(let array): appendArray(array, to: &out)
        }
    }

    private func appendArray(_ array: GGUFArray, to out: inout [UInt8]) {
        append(array.elementType.rawValue, to: &out)
        append(UInt64(array.count), to: &out)
        switch array {
        case .uint8(let a): out += a
        case .int8(let a): a.forEach { append($0, to: &out) }
        case .uint16(let a): a.forEach { append($0, to: &out) }
        case .int16(let a): a.forEach { append($0, to: &out) }
        case .uint32(let a): a.forEach { append($0, to: &out) }
        case .int32(let a): a.forEach { append($0, to: &out) }
        case .uint64(let a): a.forEach { append($0, to: &out) }
        case .int64(let a): a.forEach { append($0, to: &out) }
        case .float32(let a): a.forEach { append($0.bitPattern, to: &out) }
        case .float64(let a): a.forEach { append($0.bitPattern, to: &out) }
        case .bool(let a): a.forEach { append(UInt8($0 ? 1 : 0), to: &out) }
        case .string(let a): a.forEach { appendString($0, to: &out) }
        case .array(let a): a.forEach { appendArray($0, to: &out) }
        }
    }
}
