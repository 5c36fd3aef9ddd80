import ActiveLearning

/// largest predictive entropy of the candidates' softmax; the batch is the top scores (docs/algorithms.md §3).
public enum EntropyStrategy: QueryStrategy {
    public static let name = "entropy"
    public static let summary = "largest predictive entropy"
    public static let version = 1

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        ScorePayload(scores: UncertaintyScores.entropy(inputs.probabilities()))
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        Ranking.top(try inputs.score(ScorePayload.scoresField, for: name), count: inputs.count)
    }
}

@used @section("alflow_strategies")
let registerEntropy: StrategyRegistry.Entry = { StrategyRegistry.declare(EntropyStrategy.self) }
