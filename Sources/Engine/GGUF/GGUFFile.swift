/// A GGUF model file opened for reading: its parsed header over a memory mapping of the whole file.
///
/// Tensor data is not copied: ``data(of:)`` returns a view into the mapping, valid while this object lives.
public final class GGUFFile: Sendable {
    /// The mapping that backs every tensor view.
    public let file: MappedFile
    /// Version, metadata, tensor infos and layout.
    public let header: GGUFHeader

    /// Opens and parses the GGUF file at `path`.
    ///
    /// - Throws: ``GGUFError`` naming the path, the byte offset and the field when the file is missing, truncated
    ///   or corrupt.
    public init(path: String) throws(GGUFError) {
        let file = try MappedFile(path: path)
        do {
            header = try GGUFHeader.parse(file.bytes)
        } catch {
            throw error.at(path: path)
        }
        self.file = file
    }

    /// Metadata in file order.
    public var metadata: [(key: String, value: GGUFValue)] { header.metadata }

    /// Tensor infos in file order.
    public var tensors: [GGUFTensorInfo] { header.tensors }

    /// The metadata value under `key`, or `nil`.
    public subscript(key: String) -> GGUFValue? { header[key] }

    /// The bytes of `tensor`'s data inside the mapping (``GGUFTensorInfo/byteCount`` bytes).
    ///
    /// The view is valid as long as this ``GGUFFile`` is alive.
    ///
    /// - Throws: ``GGUFError`` when `tensor` does not lie inside this file (an info from another file's header).
    public func data(of tensor: GGUFTensorInfo) throws(GGUFError) -> UnsafeRawBufferPointer {
        let start = header.dataOffset.addingReportingOverflow(tensor.offset)
        let end = start.partialValue.addingReportingOverflow(tensor.byteCount)
        guard tensor.offset >= 0, !start.overflow, !end.overflow, end.partialValue <= file.bytes.count else {
            throw GGUFError(
                offset: nil,
                "Tensor `\(tensor.name)` (\(tensor.byteCount) bytes at data offset \(tensor.offset)) lies outside "
                    + "this \(file.bytes.count)-byte file; pass a tensor info from this file's header.",
                path: file.path)
        }
        return UnsafeRawBufferPointer(rebasing: file.bytes[start.partialValue..<end.partialValue])
    }

    /// The data of the tensor named `name`.
    ///
    /// - Throws: ``GGUFError`` when the file has no such tensor.
    public func data(named name: String) throws(GGUFError) -> UnsafeRawBufferPointer {
        guard let tensor = header.tensor(named: name) else {
            throw GGUFError(offset: nil, "The file has no tensor named `\(name)`.", path: file.path)
        }
        return try data(of: tensor)
    }
}
