@_exported import Strategies

/// A strategy a workflow names: its declaration, found by name in the
/// registry of `QueryStrategy` types (every property below is theirs).
public struct StrategyKind: Sendable, Equatable, Hashable {
    public let declaration: any QueryStrategy.Type

    public init?(rawValue: String) {
        guard let declaration = StrategyRegistry.named(rawValue) else { return nil }
        self.declaration = declaration
    }

    init(_ declaration: any QueryStrategy.Type) { self.declaration = declaration }

    public static var allCases: [StrategyKind] { StrategyRegistry.all.map(StrategyKind.init) }

    public var rawValue: String { declaration.name }
    public var summary: String { declaration.summary }
    public var parameters: [StrategyParameter] { declaration.parameters }
    public var supportsRegression: Bool { declaration.supportsRegression }
    public var hasScoreStage: Bool { declaration.hasScoreStage }

    public static func == (a: StrategyKind, b: StrategyKind) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}
