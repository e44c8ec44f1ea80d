/// Why a GGUF file could not be read or written.
///
/// ``description`` is a full sentence that names the byte offset and the field, and says what a valid file has
/// there, so a truncated download or a corrupt header can be told apart at a glance.
public struct GGUFError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset from the start of the file where the problem was found; `nil` for problems not tied to a
    /// place in the file (such as opening it).
    public let offset: Int?
    /// What is wrong and what a valid file has instead.
    public let message: String
    /// The file, when known.
    public let path: String?

    /// Makes an error at `offset` with a full-sentence `message`.
    public init(offset: Int?, _ message: String, path: String? = nil) {
        self.offset = offset
        self.message = message
        self.path = path
    }

    /// The same error, naming `path`.
    func at(path: String) -> GGUFError { GGUFError(offset: offset, message, path: path) }

    /// "`path`: offset 1234: tensor info 5 ..." — the file, the offset and the sentence.
    public var description: String {
        var prefix = ""
        if let path { prefix += "\(path): " }
        if let offset { prefix += "offset \(offset): " }
        return prefix + message
    }
}
