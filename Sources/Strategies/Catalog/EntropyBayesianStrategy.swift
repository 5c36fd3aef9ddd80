import ActiveLearning

/// expected entropy over MC-dropout passes (the noise-stability code's EntropyBayesian): scored from T dropout passes, the batch is the top scores (docs/algorithms.md §4).
public enum EntropyBayesianStrategy: DropoutPassStrategy {
    public static let name = "entropy_bayesian"
    public static let summary = "expected entropy over MC-dropout passes (the noise-stability code's EntropyBayesian)"
    public static let version = 1
    public static let parameters = [DropoutPasses.samples, DropoutPasses.dropout]

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        let passes = try inputs.requirePerturbation(name)
        return ScorePayload(scores: UncertaintyScores.expectedEntropy(passes.values, passes: passes.samples))
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        Ranking.top(try inputs.score(ScorePayload.scoresField, for: name), count: inputs.count)
    }
}

@used @section("alflow_strategies")
let registerEntropyBayesian: StrategyRegistry.Entry = { StrategyRegistry.declare(EntropyBayesianStrategy.self) }
