import Synchronization

/// A problem found in a workflow, with where it is and how to fix it.
/// Diagnostics are data; `rendered` is the one place they become text.
public struct Diagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }

    public let location: SourceLocation
    public let severity: Severity
    public let message: String
    public let hint: String?

    public init(_ location: SourceLocation, _ message: String, hint: String? = nil, severity: Severity = .error) {
        self.location = location
        self.message = message
        self.hint = hint
        self.severity = severity
    }

    /// `path:line:col: error: message`, then the hint on its own line.
    public var rendered: String {
        let head = location.line > 0 ? "\(location.file):\(location.line):\(location.column)" : location.file
        var text = "\(head): \(severity.rawValue): \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }

    public var description: String { rendered }
}

/// Collects every problem of a workflow so they are all reported at once.
public final class DiagnosticBag: Sendable {
    private let collected = Mutex<[Diagnostic]>([])

    public init() {}

    public var diagnostics: [Diagnostic] { collected.withLock { $0 } }

    public func error(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        append(Diagnostic(location, message, hint: hint))
    }

    public func warning(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        append(Diagnostic(location, message, hint: hint, severity: .warning))
    }

    public func append(_ diagnostic: Diagnostic) { collected.withLock { $0.append(diagnostic) } }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// In file order (file, line, column), stable.
    public var sorted: [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            let (x, y) = (a.element.location, b.element.location)
            if x.file != y.file { return x.file < y.file }
            if x.line != y.line { return x.line < y.line }
            if x.column != y.column { return x.column < y.column }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// A value with the place it came from; `location` is nil for a default.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation?

    public init(_ value: Value, at location: SourceLocation?) {
        self.value = value
        self.location = location
    }

    /// "file:line:col" or "default".
    public var origin: String {
        guard let location else { return "default" }
        return location.line > 0 ? location.description : location.file
    }
}

extension Located: Equatable where Value: Equatable {}

/// A located value encodes as the value alone: where it was written is
/// cosmetic and never part of a stage's key.
extension Located: Encodable where Value: Encodable {
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
