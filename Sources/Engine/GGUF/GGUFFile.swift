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
    /// The parser checked that every tensor lies inside the file, so this never reads out of bounds. The view is
    /// valid as long as this ``GGUFFile`` is alive.
    public func data(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        let start = header.dataOffset + tensor.offset
        return UnsafeRawBufferPointer(rebasing: file.bytes[start..<(start + tensor.byteCount)])
    }

    /// The data of the tensor named `name`.
    ///
    /// - Throws: ``GGUFError`` when the file has no such tensor.
    public func data(named name: String) throws(GGUFError) -> UnsafeRawBufferPointer {
        guard let tensor = header.tensor(named: name) else {
            throw GGUFError(offset: nil, "The file has no tensor named `\(name)`.", path: file.path)
        }
        return data(of: tensor)
    }
}
