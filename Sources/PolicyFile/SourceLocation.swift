/// A place in a policy file: file path, line and column (both from 1; 0 when unknown).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// File path as given to the loader.
    public var file: String
    /// Line number, from 1; 0 means the whole file.
    public var line: Int
    /// Column number, from 1; 0 when unknown.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line`, or just `file` when the line is unknown; the form editors and terminals make clickable.
    public var description: String {
        line > 0 ? "\(file):\(line)" : file
    }
}
