/// A YAML value with a fixed key order, so rendering the same objects always gives the same bytes.
///
/// Kubernetes objects are built as these nodes and written by ``YAMLNode/emit()``; keeping our own
/// small model (instead of dictionaries) is what makes the key order stable and lets entries carry
/// comments that explain a choice to the person reading the manifest.
public indirect enum YAMLNode: Hashable, Sendable {
    /// A string; quoted on output whenever YAML would read it as anything other than this string.
    case string(String)
    /// An integer, written in decimal.
    case int(Int)
    /// A floating-point number, written in its shortest exact form.
    case double(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// Key–value pairs in the order given.
    case mapping([YAMLEntry])
    /// Items in the order given.
    case sequence([YAMLNode])
    /// A node preceded by a `#` comment line, for entries whose reason is not obvious from the value.
    case commented(String, YAMLNode)

    /// A mapping built from ordered `(key, value)` pairs; `nil` values are left out, which keeps optional
    /// fields out of the output instead of writing `null`.
    public static func map(_ pairs: KeyValuePairs<String, YAMLNode?>) -> YAMLNode {
        .mapping(pairs.compactMap { key, value in value.map { YAMLEntry(key, $0) } })
    }

    /// A mapping from entries already in order.
    public static func map(_ entries: [YAMLEntry]) -> YAMLNode {
        .mapping(entries)
    }
}

/// One key of a ``YAMLNode/mapping(_:)`` with its value and an optional comment written above it.
public struct YAMLEntry: Hashable, Sendable {
    /// The key, quoted on output when YAML would misread it.
    public var key: String
    /// The value.
    public var value: YAMLNode
    /// A comment written on its own line above the key; `nil` for none.
    public var comment: String?

    /// Creates an entry.
    public init(_ key: String, _ value: YAMLNode, comment: String? = nil) {
        self.key = key
        self.value = value
        self.comment = comment
    }
}

extension YAMLNode: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    /// A string literal is a ``YAMLNode/string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal is a ``YAMLNode/int(_:)``.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A Boolean literal is a ``YAMLNode/bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension YAMLNode: ExpressibleByArrayLiteral {
    /// An array literal is a ``YAMLNode/sequence(_:)``.
    public init(arrayLiteral elements: YAMLNode...) { self = .sequence(elements) }
}
