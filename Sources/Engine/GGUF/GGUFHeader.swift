/// Everything in a GGUF file before its tensor data: version, metadata, tensor infos and the data layout.
///
/// Parsing is pure: it reads from a byte buffer and never touches anything outside it.
public struct GGUFHeader: Sendable, Equatable {
    /// The four bytes every GGUF file starts with: `GGUF`.
    public static let magic: [UInt8] = Array("GGUF".utf8)
    /// Alignment of tensor data when `general.alignment` is absent, in bytes (GGUF specification: 32).
    public static let defaultAlignment = 32
    /// Most dimensions a tensor may have (ggml's `GGML_MAX_DIMS`).
    public static let maximumDimensions = 4
    /// Longest tensor name in bytes (ggml's `GGML_MAX_NAME` is 64 including the terminator).
    public static let maximumNameBytes = 63
    /// Deepest nesting of metadata arrays accepted; real files use at most 2, the cap stops stack exhaustion.
    public static let maximumArrayDepth = 8

    /// File format version: 2 or 3 (the same layout on little-endian machines).
    public var version: UInt32
    /// Metadata in file order; keys are unique.
    public var metadata: [(key: String, value: GGUFValue)]
    /// Tensor infos in file order; names are unique.
    public var tensors: [GGUFTensorInfo]
    /// Alignment of tensor data in bytes, from `general.alignment` or ``defaultAlignment``.
    public var alignment: Int
    /// Offset of the data section from the start of the file: the end of the tensor infos rounded up to
    /// ``alignment``.
    public var dataOffset: Int

    /// The value stored under `key`, or `nil`.
    public subscript(key: String) -> GGUFValue? {
        metadata.first(where: { $0.key == key })?.value
    }

    /// The tensor info named `name`, or `nil`.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensors.first(where: { $0.name == name })
    }

    /// Headers are equal when version, layout, tensor infos and metadata (keys, order and values) are equal.
    public static func == (lhs: GGUFHeader, rhs: GGUFHeader) -> Bool {
        lhs.version == rhs.version && lhs.alignment == rhs.alignment && lhs.dataOffset == rhs.dataOffset
            && lhs.tensors == rhs.tensors && lhs.metadata.map(\.key) == rhs.metadata.map(\.key)
            && lhs.metadata.map(\.value) == rhs.metadata.map(\.value)
    }
}

extension GGUFHeader {
    /// Parses the header at the start of `bytes`, which holds the whole file, and checks that every tensor's data
    /// lies inside it.
    ///
    /// - Throws: ``GGUFError`` naming the offset and field of the first problem.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(GGUFError) -> GGUFHeader {
        var cursor = ByteCursor(bytes)
        try cursor.require(4, for: "the magic number")
        guard bytes[0..<4].elementsEqual(magic) else {
            let found = bytes[0..<4].map { String($0, radix: 16) }.joined(separator: " ")
            throw GGUFError(
                offset: 0,
                "The file does not start with the GGUF magic `GGUF` (found bytes \(found)); it is not a GGUF file.")
        }
        try cursor.seek(to: 4, for: "the version")
        let version = try cursor.read(UInt32.self, for: "the version")
        guard version == 2 || version == 3 else {
            let hint =
                version == 1
                ? "version 1 used 32-bit counts and is no longer supported; convert the file with a current llama.cpp."
                : (version.byteSwapped == 2 || version.byteSwapped == 3)
                    ? "this looks like a big-endian GGUF file; only little-endian files are supported."
                    : "only versions 2 and 3 are supported."
            throw GGUFError(offset: 4, "GGUF version \(version) is not supported: \(hint)")
        }
        let tensorCount = try cursor.readCount(minimumSize: 8 + 4 + 4 + 8, for: "the tensor count")
        let keyCount = try cursor.readCount(minimumSize: 8 + 4 + 1, for: "the metadata key count")

        var metadata: [(key: String, value: GGUFValue)] = []
        metadata.reserveCapacity(keyCount)
        var seenKeys = Set<String>()
        for index in 0..<keyCount {
            let keyOffset = cursor.offset
            let key = try cursor.readString(for: "the key of metadata entry \(index)")
            guard seenKeys.insert(key).inserted else {
                throw GGUFError(
                    offset: keyOffset, "Metadata key `\(key)` (entry \(index)) appears twice; keys must be unique.")
            }
            let value = try readValue(&cursor, field: "metadata `\(key)`", depth: 0)
            metadata.append((key, value))
        }

        var alignment = defaultAlignment
        if let entry = metadata.first(where: { $0.key == "general.alignment" }) {
            guard case .uint32(let value) = entry.value, value > 0, value & (value - 1) == 0 else {
                throw GGUFError(
                    offset: nil,
                    "Metadata `general.alignment` is \(entry.value); it must be a UINT32 power of two such as 32."
                )
            }
            alignment = Int(value)
        }

        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(tensorCount)
        var seenNames = Set<String>()
        for index in 0..<tensorCount {
            tensors.append(try readTensorInfo(&cursor, index: index, alignment: alignment, seenNames: &seenNames))
        }

        let headerEnd = cursor.offset
        let dataOffset = (headerEnd + alignment - 1) / alignment * alignment
        let dataBytes = bytes.count - dataOffset
        for (index, tensor) in tensors.enumerated() {
            let end = tensor.offset.addingReportingOverflow(tensor.byteCount)
            guard !end.overflow, end.partialValue <= dataBytes else {
                throw GGUFError(
                    offset: dataOffset + tensor.offset,
                    "Tensor \(index) `\(tensor.name)` needs \(tensor.byteCount) bytes of data from offset "
                        + "\(dataOffset + tensor.offset), but the file ends at \(bytes.count); the file is truncated."
                )
            }
        }
        return GGUFHeader(
            version: version, metadata: metadata, tensors: tensors, alignment: alignment, dataOffset: dataOffset)
    }

    private static func readTensorInfo(
        _ cursor: inout ByteCursor, index: Int, alignment: Int, seenNames: inout Set<String>
    ) throws(GGUFError) -> GGUFTensorInfo {
        let start = cursor.offset
        let name = try cursor.readString(for: "the name of tensor info \(index)")
        let label = "tensor info \(index) `\(name)`"
        guard name.utf8.count <= maximumNameBytes else {
            throw GGUFError(
                offset: start,
                "The name of \(label) is \(name.utf8.count) bytes; ggml allows at most \(maximumNameBytes).")
        }
        guard seenNames.insert(name).inserted else {
            throw GGUFError(
                offset: start, "Tensor name `\(name)` (tensor info \(index)) appears twice; names must be unique.")
        }
        let dimsOffset = cursor.offset
        let dimensionCount = try cursor.read(UInt32.self, for: "the dimension count of \(label)")
        guard dimensionCount >= 1, dimensionCount <= maximumDimensions else {
            throw GGUFError(
                offset: dimsOffset,
                "\(label) has \(dimensionCount) dimensions; GGUF allows 1 to \(maximumDimensions).")
        }
        let dims = try cursor.readArray(UInt64.self, count: Int(dimensionCount), for: "the dimensions of \(label)")
        var elements = 1
        for (axis, dim) in dims.enumerated() {
            let product = elements.multipliedReportingOverflow(by: Int(truncatingIfNeeded: dim))
            guard dim <= UInt64(Int.max), !product.overflow else {
                throw GGUFError(
                    offset: dimsOffset + 4 + 8 * axis,
                    "Dimension \(axis) of \(label) is \(dim), which makes the element count overflow; the file is corrupt."
                )
            }
            elements = product.partialValue
        }
        let typeOffset = cursor.offset
        let rawType = try cursor.read(UInt32.self, for: "the type of \(label)")
        guard let type = TensorType(rawValue: rawType) else {
            throw GGUFError(
                offset: typeOffset,
                "\(label) has ggml type \(rawType), which this reader does not know; known types are "
                    + TensorType.all.map { "\($0.rawValue) (\($0))" }.joined(separator: ", ") + ".")
        }
        let shape = dims.map { Int($0) }
        guard shape[0] % type.blockSize == 0 else {
            throw GGUFError(
                offset: dimsOffset + 4,
                "\(label) has rows of \(shape[0]) elements, not a multiple of the \(type) block size \(type.blockSize)."
            )
        }
        let dataOffsetOffset = cursor.offset
        let offset = try cursor.read(UInt64.self, for: "the data offset of \(label)")
        guard offset <= UInt64(Int.max), Int(offset) % alignment == 0 else {
            throw GGUFError(
                offset: dataOffsetOffset,
                "The data offset \(offset) of \(label) is not a multiple of the alignment \(alignment).")
        }
        let info = GGUFTensorInfo(name: name, shape: shape, type: type, offset: Int(offset))
        let size = (shape[0] / type.blockSize).multipliedReportingOverflow(by: type.blockBytes)
        let total = size.partialValue.multipliedReportingOverflow(by: info.rowCount)
        guard !size.overflow, !total.overflow else {
            throw GGUFError(offset: dimsOffset, "The size of \(label) overflows; the file is corrupt.")
        }
        return info
    }

    private static func readValue(
        _ cursor: inout ByteCursor, field: String, depth: Int
    ) throws(GGUFError) -> GGUFValue {
        let typeOffset = cursor.offset
        let rawType = try cursor.read(UInt32.self, for: "the value type of \(field)")
        guard let type = GGUFValueType(rawValue: rawType) else {
            throw GGUFError(
                offset: typeOffset, "\(field) has value type \(rawType); GGUF value types are 0 to 12.")
        }
        return try readValue(&cursor, type: type, field: field, depth: depth)
    }

    private static func readValue(
        _ cursor: inout ByteCursor, type: GGUFValueType, field: String, depth: Int
    ) throws(GGUFError) -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self, for: field))
        case .int8: return .int8(try cursor.read(Int8.self, for: field))
        case .uint16: return .uint16(try cursor.read(UInt16.self, for: field))
        case .int16: return .int16(try cursor.read(Int16.self, for: field))
        case .uint32: return .uint32(try cursor.read(UInt32.self, for: field))
        case .int32: return .int32(try cursor.read(Int32.self, for: field))
        case .uint64: return .uint64(try cursor.read(UInt64.self, for: field))
        case .int64: return .int64(try cursor.read(Int64.self, for: field))
        case .float32: return .float32(try cursor.readFloat(for: field))
        case .float64: return .float64(try cursor.readDouble(for: field))
        case .bool: return .bool(try readBool(&cursor, field: field))
        case .string: return .string(try cursor.readString(for: field))
        case .array: return .array(try readArray(&cursor, field: field, depth: depth))
        }
    }

    private static func readBool(_ cursor: inout ByteCursor, field: String) throws(GGUFError) -> Bool {
        let at = cursor.offset
        let byte = try cursor.read(UInt8.self, for: field)
        guard byte <= 1 else {
            throw GGUFError(offset: at, "\(field) is a BOOL with byte value \(byte); GGUF booleans are 0 or 1.")
        }
        return byte == 1
    }

    private static func readArray(
        _ cursor: inout ByteCursor, field: String, depth: Int
    ) throws(GGUFError) -> GGUFArray {
        let typeOffset = cursor.offset
        guard depth < maximumArrayDepth else {
            throw GGUFError(
                offset: typeOffset, "\(field) nests arrays more than \(maximumArrayDepth) deep; the file is corrupt.")
        }
        let rawType = try cursor.read(UInt32.self, for: "the element type of \(field)")
        guard let type = GGUFValueType(rawValue: rawType) else {
            throw GGUFError(
                offset: typeOffset, "\(field) is an array of value type \(rawType); GGUF value types are 0 to 12.")
        }
        let count = try cursor.readCount(minimumSize: type.minimumEncodedSize, for: "the element count of \(field)")
        switch type {
        case .uint8: return .uint8(try cursor.readArray(UInt8.self, count: count, for: field))
        case .int8: return .int8(try cursor.readArray(Int8.self, count: count, for: field))
        case .uint16: return .uint16(try cursor.readArray(UInt16.self, count: count, for: field))
        case .int16: return .int16(try cursor.readArray(Int16.self, count: count, for: field))
        case .uint32: return .uint32(try cursor.readArray(UInt32.self, count: count, for: field))
        case .int32: return .int32(try cursor.readArray(Int32.self, count: count, for: field))
        case .uint64: return .uint64(try cursor.readArray(UInt64.self, count: count, for: field))
        case .int64: return .int64(try cursor.readArray(Int64.self, count: count, for: field))
        case .float32:
            return .float32(try cursor.readArray(UInt32.self, count: count, for: field).map(Float.init(bitPattern:)))
        case .float64:
            return .float64(try cursor.readArray(UInt64.self, count: count, for: field).map(Double.init(bitPattern:)))
        case .bool:
            var values: [Bool] = []
            values.reserveCapacity(count)
            for index in 0..<count { values.append(try readBool(&cursor, field: "\(field)[\(index)]")) }
            return .bool(values)
        case .string:
            var values: [String] = []
            values.reserveCapacity(count)
            for index in 0..<count { values.append(try cursor.readString(for: "\(field)[\(index)]")) }
            return .string(values)
        case .array:
            var values: [GGUFArray] = []
            values.reserveCapacity(count)
            for index in 0..<count {
                values.append(try readArray(&cursor, field: "\(field)[\(index)]", depth: depth + 1))
            }
            return .array(values)
        }
    }
}
