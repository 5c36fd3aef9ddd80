import Tensors

/// Uniform random sampling of the offered candidates (docs/algorithms.md §3.1).
public enum RandomStrategy: QueryStrategy {
    public static let name = "random"
    public static let summary = "uniform random sampling"
    public static let version = 1
    public static let supportsRegression = true
    public static let hasScoreStage = false

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        var random = RandomStream(seed: inputs.seed, purpose: "random-query")
        return random.sample(Array(0..<inputs.offered), count: inputs.count)
    }
}

@used @section("alflow_strategies")
let registerRandom: StrategyRegistry.Entry = { StrategyRegistry.declare(RandomStrategy.self) }
