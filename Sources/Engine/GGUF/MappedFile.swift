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

    /// Drops the pages wholly inside `range` (a view into this mapping) from resident memory. The mapping stays
    /// valid: the pages are clean copies of the file, so the next read brings them back from the page cache.
    /// Views outside the mapping are ignored.
    public func releasePages(of range: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, let start = range.baseAddress, start >= base,
            start + range.count <= base + bytes.count
        else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let end = (Int(bitPattern: start) + range.count) / page * page
        guard end > first, let pointer = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(pointer, end - first, Int32(MADV_DONTNEED))
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
