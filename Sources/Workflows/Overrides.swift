/// `--set KEY=VALUE` overrides (as Hydra and Snakemake's `--config`): the
/// value is parsed as YAML and put at the dotted path, before validation,
/// so it is checked and hashed like the file. Diagnostics about it point at
/// the override itself.
public struct Override: Sendable, Equatable {
    public let path: [String]
    public let text: String
    public let source: String

    /// Parses `KEY=VALUE` (e.g. `loop.cycles=3`, `strategies.random={}`).
    public static func parse(_ argument: String) -> Result<Override, Diagnostic> {
        let location = SourceLocation(file: "--set \(argument)", line: 0, column: 0)
        guard let equals = argument.firstIndex(of: "=") else {
            return .failure(Diagnostic(location, "an override has the form KEY=VALUE", hint: "--set loop.cycles=3"))
        }
        let key = String(argument[..<equals])
        let components = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !key.isEmpty, components.allSatisfy({ !$0.isEmpty }) else {
            return .failure(Diagnostic(location, "'\(key)' is not a key path", hint: "dotted keys, e.g. train.epochs"))
        }
        return .success(Override(path: components, text: String(argument[argument.index(after: equals)...]), source: "--set \(argument)"))
    }

    /// Applies the override to the document, or returns why it cannot be.
    func apply(to root: YAMLNode?) -> Result<YAMLNode, Diagnostic> {
        let location = SourceLocation(file: source, line: 0, column: 0)
        let value: YAMLNode
        do {
            value = try YAMLParser.parse(text, file: source).map(relocated) ?? YAMLNode(.scalar("", plain: true), at: location)
        } catch let error as YAMLError {
            return .failure(Diagnostic(location, "the value is not valid YAML: \(error.message)"))
        } catch {
            return .failure(Diagnostic(location, "the value is not valid YAML"))
        }
        let base = root ?? YAMLNode(.mapping([]), at: location)
        return set(value, at: path[...], in: base, location: location)
    }

    /// Nodes of an override carry the override as their file, with no line.
    private func relocated(_ node: YAMLNode) -> YAMLNode {
        let location = SourceLocation(file: source, line: 0, column: 0)
        switch node.content {
        case .scalar: return YAMLNode(node.content, at: location)
        case .sequence(let items): return YAMLNode(.sequence(items.map(relocated)), at: location)
        case .mapping(let entries): return YAMLNode(.mapping(entries.map { (relocated($0.key), relocated($0.value)) }), at: location)
        }
    }

    private func set(_ value: YAMLNode, at path: ArraySlice<String>, in node: YAMLNode, location: SourceLocation) -> Result<YAMLNode, Diagnostic> {
        guard let head = path.first else { return .success(value) }
        var entries: [(key: YAMLNode, value: YAMLNode)]
        switch node.content {
        case .mapping(let existing): entries = existing
        case .scalar where node.isNull: entries = []
        default:
            return .failure(Diagnostic(location, "cannot set '\(self.path.joined(separator: "."))': '\(head)' would be inside \(node.kindDescription)"))
        }
        if let index = entries.firstIndex(where: { $0.key.scalar == head }) {
            switch set(value, at: path.dropFirst(), in: entries[index].value, location: location) {
            case .success(let replaced): entries[index].value = replaced
            case .failure(let diagnostic): return .failure(diagnostic)
            }
        } else {
            let empty = YAMLNode(.mapping([]), at: location)
            switch set(value, at: path.dropFirst(), in: empty, location: location) {
            case .success(let created): entries.append((YAMLNode(.scalar(head, plain: true), at: location), created))
            case .failure(let diagnostic): return .failure(diagnostic)
            }
        }
        return .success(YAMLNode(.mapping(entries), at: node.location))
    }
}
