/// A place in a source file. Lines and columns are 1-based, as editors show
/// them (libyaml's marks are 0-based and converted on the way in).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A YAML node with the place it was written. Mappings keep their entries in
/// file order (duplicates included, so validation can report them).
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        /// A scalar's text; `plain` is false for quoted or block scalars,
        /// which are always strings (never numbers, booleans or null).
        case scalar(String, plain: Bool)
        case sequence([YAMLNode])
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    public let content: Content
    public let location: SourceLocation
    /// Number of nodes in this subtree, itself included, counting every
    /// alias expansion (so a "billion laughs" tree is caught by its size).
    public let size: Int

    public init(_ content: Content, at location: SourceLocation) {
        self.content = content
        self.location = location
        switch content {
        case .scalar: size = 1
        case .sequence(let items): size = 1 + items.reduce(0) { $0 + $1.size }
        case .mapping(let entries): size = 1 + entries.reduce(0) { $0 + $1.key.size + $1.value.size }
        }
    }

    /// The scalar text, if this is a scalar.
    public var scalar: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    /// True for an unquoted scalar (which YAML may read as a number, boolean or null).
    public var isPlainScalar: Bool {
        if case .scalar(_, let plain) = content { return plain }
        return false
    }

    public var isNull: Bool {
        guard case .scalar(let text, true) = content else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// A word for the node's kind, for messages ("expected a mapping, found a sequence").
    public var kindDescription: String {
        switch content {
        case .scalar: return isNull ? "nothing (null)" : "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}
