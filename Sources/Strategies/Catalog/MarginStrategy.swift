import ActiveLearning

/// smallest gap between the two top probabilities of the candidates' softmax; the batch is the top scores (docs/algorithms.md §3).
public enum MarginStrategy: QueryStrategy {
    public static let name = "margin"
    public static let summary = "smallest gap between the two top probabilities"
    public static let version = 1

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        ScorePayload(scores: UncertaintyScores.margin(inputs.probabilities()))
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        Ranking.top(try inputs.score(ScorePayload.scoresField, for: name), count: inputs.count)
    }
}

@used @section("alflow_strategies")
let registerMargin: StrategyRegistry.Entry = { StrategyRegistry.declare(MarginStrategy.self) }
