import ActiveLearning

/// 1 − max p (Lewis & Gale) over the candidates' softmax; the batch is the top scores (docs/algorithms.md §3).
public enum LeastConfidenceStrategy: QueryStrategy {
    public static let name = "least_confidence"
    public static let summary = "1 − max p (Lewis & Gale)"
    public static let version = 1

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        ScorePayload(scores: UncertaintyScores.leastConfidence(inputs.probabilities()))
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        Ranking.top(try inputs.score(ScorePayload.scoresField, for: name), count: inputs.count)
    }
}

@used @section("alflow_strategies")
let registerLeastConfidence: StrategyRegistry.Entry = { StrategyRegistry.declare(LeastConfidenceStrategy.self) }
