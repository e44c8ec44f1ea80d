import BallastCore
import Yams

/// The fields of one YAML mapping, read one by one so that leftovers can be reported as unknown.
final class FieldMap {
    /// Dotted path of the mapping, such as `spec.target`.
    let path: String
    /// The mapping node, for the location of missing fields.
    let node: Node
    /// Keys and values in file order.
    let entries: [(key: String, keyNode: Node, value: Node)]
    private var read: Set<String> = []

    init(path: String, node: Node, entries: [(key: String, keyNode: Node, value: Node)]) {
        self.path = path
        self.node = node
        self.entries = entries
    }

    /// The full path of `key` inside this mapping.
    func path(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The value of `key`, marking it as read; `nil` when absent.
    func value(_ key: String) -> Node? {
        read.insert(key)
        return entries.first { $0.key == key }?.value
    }

    /// Whether `key` is present, without marking it as read.
    func has(_ key: String) -> Bool {
        entries.contains { $0.key == key }
    }

    /// Keys never read, with their nodes, in file order.
    var unread: [(key: String, keyNode: Node)] {
        entries.filter { !read.contains($0.key) }.map { ($0.key, $0.keyNode) }
    }
}

extension Node {
    /// The node's line and column (from 1), or 0 when Yams gave none.
    var position: (line: Int, column: Int) {
        guard let mark else { return (0, 0) }
        return (mark.line, mark.column)
    }

    /// True for an empty or `null` plain scalar (`key:` with nothing after it).
    var isNull: Bool {
        guard case .scalar(let scalar) = self, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// What the node is, for "must be …, not …" messages.
    var shapeDescription: String {
        switch self {
        case .scalar(let scalar):
            isNull ? "empty" : "`\(scalar.string)`"
        case .mapping: "a mapping"
        case .sequence(let sequence): sequence.isEmpty ? "an empty list" : "a list"
        case .alias: "an alias"
        }
    }
}
