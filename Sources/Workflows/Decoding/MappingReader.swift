import Suggestions

/// Reads one YAML mapping against a known set of keys: duplicate keys,
/// unknown keys (with "did you mean"), missing required keys and values of
/// the wrong type or range are all reported to the bag; decoding goes on so
/// that every problem surfaces in one pass.
final class MappingReader {
    let node: YAMLNode
    let path: String
    let bag: DiagnosticBag
    private var entries: [String: (key: YAMLNode, value: YAMLNode)] = [:]
    private(set) var order: [String] = []
    private var consumed: Set<String> = []

    /// Where the mapping was introduced (its key in the parent), for
    /// messages about the mapping as a whole, such as a missing key.
    let anchor: SourceLocation

    /// nil (with an error reported) if `node` is not a mapping. `path` names
    /// the mapping in messages ("loop", "strategies.ns"); `anchor` is the
    /// location of the key that introduced it, if any.
    init?(_ node: YAMLNode, path: String, bag: DiagnosticBag, anchor: SourceLocation? = nil) {
        self.node = node
        self.path = path
        self.bag = bag
        self.anchor = anchor ?? node.location
        if node.isNull {
            return
        }
        guard case .mapping(let pairs) = node.content else {
            bag.error(node.location, "'\(path)' must be a mapping, found \(Scalars.describe(node))")
            return nil
        }
        for (key, value) in pairs {
            guard let name = key.scalar else {
                bag.error(key.location, "keys of '\(path)' must be plain names, found \(key.kindDescription)")
                continue
            }
            if let first = entries[name] {
                bag.error(key.location, "duplicate key '\(name)' in '\(path)'",
                          hint: "it was already given at \(first.key.location.line):\(first.key.location.column); keep one")
                continue
            }
            entries[name] = (key, value)
            order.append(name)
        }
    }

    var keys: [String] { order }
    var location: SourceLocation { anchor }

    func value(_ key: String) -> YAMLNode? {
        consumed.insert(key)
        return entries[key]?.value
    }

    func keyLocation(_ key: String) -> SourceLocation? { entries[key]?.key.location }

    func has(_ key: String) -> Bool { entries[key] != nil }

    func required(_ key: String, _ what: String) -> YAMLNode? {
        guard let value = value(key) else {
            bag.error(anchor, "'\(path)' is missing the required key '\(key)' (\(what))")
            return nil
        }
        return value
    }

    /// Reports every key not consumed, suggesting the closest known one.
    func finish(known: [String]) {
        for name in order where !consumed.contains(name) {
            let location = entries[name]?.key.location ?? node.location
            let hint = Suggestion.closest(to: name, among: known).map { "did you mean '\($0)'?" }
                ?? "known keys: \(known.joined(separator: ", "))"
            bag.error(location, "unknown key '\(name)' in '\(path)'", hint: hint)
        }
    }

    // MARK: Typed values

    func int(_ key: String, default fallback: Int? = nil, range: ClosedRange<Int>? = nil, required: Bool = false,
             what: String = "a whole number") -> Located<Int>? {
        guard let node = required ? self.required(key, what) : value(key) else { return fallback.map { Located($0, at: nil) } }
        return Scalars.int(node, "\(path).\(key)", bag: bag, range: range).map { Located($0, at: node.location) }
    }

    func double(_ key: String, default fallback: Double? = nil, above: Double? = nil, atLeast: Double? = nil,
                below: Double? = nil, required: Bool = false) -> Located<Double>? {
        guard let node = required ? self.required(key, "a number") : value(key) else { return fallback.map { Located($0, at: nil) } }
        guard let number = Scalars.double(node, "\(path).\(key)", bag: bag) else { return nil }
        if let above, number <= above {
            bag.error(node.location, "'\(path).\(key)' must be greater than \(Scalars.format(above)), found \(Scalars.format(number))")
            return nil
        }
        if let atLeast, number < atLeast {
            bag.error(node.location, "'\(path).\(key)' must be at least \(Scalars.format(atLeast)), found \(Scalars.format(number))")
            return nil
        }
        if let below, number >= below {
            bag.error(node.location, "'\(path).\(key)' must be less than \(Scalars.format(below)), found \(Scalars.format(number))")
            return nil
        }
        return Located(number, at: node.location)
    }

    func string(_ key: String, default fallback: String? = nil, required: Bool = false, what: String = "text") -> Located<String>? {
        guard let node = required ? self.required(key, what) : value(key) else { return fallback.map { Located($0, at: nil) } }
        return Scalars.string(node, "\(path).\(key)", bag: bag).map { Located($0, at: node.location) }
    }

    func bool(_ key: String, default fallback: Bool) -> Located<Bool>? {
        guard let node = value(key) else { return Located(fallback, at: nil) }
        return Scalars.bool(node, "\(path).\(key)", bag: bag).map { Located($0, at: node.location) }
    }

    /// One of `choices` (by exact name), suggesting the closest on a miss.
    func choice(_ key: String, _ choices: [String], default fallback: String? = nil, required: Bool = false) -> Located<String>? {
        guard let node = required ? self.required(key, "one of \(choices.joined(separator: ", "))") : value(key) else {
            return fallback.map { Located($0, at: nil) }
        }
        return Scalars.choice(node, "\(path).\(key)", choices, bag: bag).map { Located($0, at: node.location) }
    }

    /// One of an enum's cases, by its raw name.
    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, as type: Choice.Type, default fallback: Choice? = nil,
                                                         required: Bool = false) -> Located<Choice>? where Choice.RawValue == String {
        choice(key, Choice.allCases.map(\.rawValue), default: fallback?.rawValue, required: required).flatMap { located in
            Choice(rawValue: located.value).map { Located($0, at: located.location) }
        }
    }

    func intList(_ key: String, default fallback: [Int]? = nil, range: ClosedRange<Int>? = nil, nonEmpty: Bool = false) -> Located<[Int]>? {
        guard let node = value(key) else { return fallback.map { Located($0, at: nil) } }
        guard let items = Scalars.list(node, "\(path).\(key)", bag: bag) else { return nil }
        if nonEmpty && items.isEmpty {
            bag.error(node.location, "'\(path).\(key)' must not be empty")
            return nil
        }
        var values: [Int] = []
        var valid = true
        for item in items {
            if let value = Scalars.int(item, "\(path).\(key)", bag: bag, range: range) { values.append(value) } else { valid = false }
        }
        return valid ? Located(values, at: node.location) : nil
    }

    func stringList(_ key: String, default fallback: [String] = []) -> Located<[String]>? {
        guard let node = value(key) else { return Located(fallback, at: nil) }
        guard let items = Scalars.list(node, "\(path).\(key)", bag: bag) else { return nil }
        let values = items.compactMap { Scalars.string($0, "\(path).\(key)", bag: bag) }
        return values.count == items.count ? Located(values, at: node.location) : nil
    }
}
