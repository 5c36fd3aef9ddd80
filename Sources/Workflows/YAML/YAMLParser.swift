import CYAML

/// A YAML syntax error or a document that exceeds the parser's limits.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public let location: SourceLocation
    public let message: String

    public var description: String { "\(location): error: \(message)" }
}

/// Bounds that keep hostile input (alias bombs, deep nesting, huge files)
/// from hanging or exhausting the process.
public struct YAMLLimits: Sendable {
    public var maxBytes = 4 << 20
    public var maxDepth = 64
    public var maxNodes = 100_000

    public init() {}
}

/// Parses YAML through libyaml's event API into `YAMLNode` trees that
/// remember the line and column of every node.
public enum YAMLParser {
    /// Parses a single-document stream. Returns nil for an empty stream
    /// (no document at all, or only comments).
    public static func parse(_ bytes: [UInt8], file: String, limits: YAMLLimits = YAMLLimits()) throws -> YAMLNode? {
        guard bytes.count <= limits.maxBytes else {
            throw YAMLError(location: SourceLocation(file: file, line: 1, column: 1),
                            message: "the file is \(bytes.count) bytes; workflow files are limited to \(limits.maxBytes) bytes")
        }
        var builder = TreeBuilder(file: file, limits: limits)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(location: SourceLocation(file: file, line: 1, column: 1), message: "could not start the YAML parser")
        }
        defer { yaml_parser_delete(&parser) }
        return try bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    throw syntaxError(parser, file: file)
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return builder.root }
                try builder.handle(event)
            }
        }
    }

    public static func parse(_ text: String, file: String, limits: YAMLLimits = YAMLLimits()) throws -> YAMLNode? {
        try parse(Array(text.utf8), file: file, limits: limits)
    }

    private static func syntaxError(_ parser: yaml_parser_t, file: String) -> YAMLError {
        let mark = parser.problem_mark
        var message = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " (\(context) at line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1))"
        }
        return YAMLError(location: SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1),
                         message: "YAML syntax: " + message)
    }
}

/// Assembles nodes from the event stream, expanding aliases within the node
/// budget and enforcing the depth limit.
private struct TreeBuilder {
    /// An open sequence or mapping; a class so that appending is in place.
    final class Frame {
        let isMapping: Bool
        let start: SourceLocation
        let anchor: String?
        var items: [YAMLNode] = []
        var entries: [(key: YAMLNode, value: YAMLNode)] = []
        var pendingKey: YAMLNode?

        init(isMapping: Bool, start: SourceLocation, anchor: String?) {
            self.isMapping = isMapping
            self.start = start
            self.anchor = anchor
        }

        func append(_ node: YAMLNode) {
            guard isMapping else { items.append(node); return }
            if let key = pendingKey {
                entries.append((key: key, value: node))
                pendingKey = nil
            } else {
                pendingKey = node
            }
        }

        func close() -> YAMLNode {
            YAMLNode(isMapping ? .mapping(entries) : .sequence(items), at: start)
        }
    }

    let file: String
    let limits: YAMLLimits
    var stack: [Frame] = []
    var anchors: [String: YAMLNode] = [:]
    var root: YAMLNode?
    var documents = 0
    var nodes = 0

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    mutating func handle(_ event: yaml_event_t) throws {
        let here = location(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError(location: here, message: "a workflow file holds one YAML document; found a second one here")
            }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let tag = scalar.tag.map { String(cString: $0) }
            let plain = scalar.plain_implicit == 1 && tag != "tag:yaml.org,2002:str"
            try add(YAMLNode(.scalar(text, plain: plain), at: here), anchor: anchorName(scalar.anchor), at: here, weight: 1)
        case YAML_ALIAS_EVENT:
            let name = anchorName(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLError(location: here, message: "alias *\(name) refers to no anchor &\(name) defined before it")
            }
            try add(target, anchor: nil, at: here, weight: target.size)
        case YAML_SEQUENCE_START_EVENT:
            try push(Frame(isMapping: false, start: here, anchor: anchorName(event.data.sequence_start.anchor)), at: here)
        case YAML_MAPPING_START_EVENT:
            try push(Frame(isMapping: true, start: here, anchor: anchorName(event.data.mapping_start.anchor)), at: here)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            // Children were counted as they arrived; the container counts once.
            try add(frame.close(), anchor: frame.anchor, at: frame.start, weight: 1)
        default:
            break
        }
    }

    func anchorName(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    mutating func push(_ frame: Frame, at here: SourceLocation) throws {
        guard stack.count < limits.maxDepth else {
            throw YAMLError(location: here, message: "nesting deeper than \(limits.maxDepth) levels")
        }
        stack.append(frame)
    }

    /// Attaches a finished node to its parent (or makes it the root).
    mutating func add(_ node: YAMLNode, anchor: String?, at here: SourceLocation, weight: Int) throws {
        nodes += weight
        guard nodes <= limits.maxNodes else {
            throw YAMLError(location: here, message:
                "the document expands to more than \(limits.maxNodes) nodes (aliases are expanded); a workflow needs far fewer")
        }
        if let anchor { anchors[anchor] = node }
        if let top = stack.last { top.append(node) } else { root = node }
    }
}
