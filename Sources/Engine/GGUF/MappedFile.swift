#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A read-only memory mapping of a whole file, unmapped when the last reference goes away.
///
/// Pages are loaded by the kernel on first touch, so opening a large model costs nothing until its tensors are
/// read, and several engines in one process share the same physical pages.
public final class MappedFile: @unchecked Sendable {
    // Sendable because the mapping is read-only (PROT_READ) and never changes after init.

    /// The mapped bytes; valid for the lifetime of this object.
    public let bytes: UnsafeRawBufferPointer
    /// The path the file was opened from.
    public let path: String

    /// Maps the file at `path` read-only.
    ///
    /// - Throws: ``GGUFError`` (without an offset) when the file cannot be opened, sized or mapped.
    public init(path: String) throws(GGUFError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw GGUFError(offset: nil, "Cannot open the file: \(String(cString: strerror(errno))).", path: path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw GGUFError(offset: nil, "Cannot read the file size: \(String(cString: strerror(errno))).", path: path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw GGUFError(offset: nil, "The path is not a regular file; pass the path of a .gguf file.", path: path)
        }
        let size = Int(info.st_size)
        guard size > 0 else {
            throw GGUFError(offset: 0, "The file is empty; a GGUF file starts with the magic `GGUF`.", path: path)
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw GGUFError(offset: nil, "Cannot map the file: \(String(cString: strerror(errno))).", path: path)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
