/// A resolved strategy parameter.
public enum StrategyParameterValue: Sendable, Equatable, Encodable {
    case int(Int)
    case double(Double)
    case text(String)
    /// ProbCover's δ chosen automatically.
    case automatic

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        case .automatic: try container.encode("auto")
        }
    }
}

/// Which stage a parameter changes (and so which stages' keys include it).
public enum StageScope: Sendable { case perturb, score, select }

/// A parameter a strategy accepts.
public struct StrategyParameter: Sendable {
    public enum Kind: Sendable {
        case int(ClosedRange<Int>)
        /// A number with optional exclusive lower, inclusive lower and exclusive upper bounds.
        case double(above: Double?, atLeast: Double?, below: Double?)
        case choice([String])
        /// A positive number or `auto`.
        case doubleOrAuto
    }

    public enum Default: Sendable {
        case value(StrategyParameterValue)
        /// The model's dropout probability, or this value for a model without dropout.
        case modelDropout(otherwise: Double)
    }

    public let name: String
    public let kind: Kind
    public let defaultValue: Default
    public let scope: StageScope
    public let help: String

    public init(name: String, kind: Kind, default defaultValue: Default, scope: StageScope, help: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.scope = scope
        self.help = help
    }

    /// The default for a model whose dropout probability is `modelDropout`.
    public func resolvedDefault(modelDropout: Double) -> StrategyParameterValue {
        switch defaultValue {
        case .value(let value): return value
        case .modelDropout(let otherwise): return .double(modelDropout > 0 ? modelDropout : otherwise)
        }
    }
}

/// A strategy's resolved parameters (every declared one present after decoding).
public struct StrategyParameters: Sendable, Equatable {
    public var values: [String: StrategyParameterValue]

    public init(_ values: [String: StrategyParameterValue] = [:]) { self.values = values }

    public subscript(name: String) -> StrategyParameterValue? { values[name] }

    public func number(_ name: String) -> Double {
        switch values[name] {
        case .double(let value): return value
        case .int(let value): return Double(value)
        default: return 0
        }
    }

    public func int(_ name: String) -> Int {
        switch values[name] {
        case .int(let value): return value
        case .double(let value): return Int(value)
        default: return 0
        }
    }

    public func text(_ name: String) -> String? {
        if case .text(let value) = values[name] { return value }
        return nil
    }

    public func isAutomatic(_ name: String) -> Bool { values[name] == .automatic }
}
