import ActiveLearning

/// BALD with MC dropout (Houlsby et al.; Gal et al.): scored from T dropout passes, the batch is the top scores (docs/algorithms.md §4).
public enum BALDStrategy: DropoutPassStrategy {
    public static let name = "bald"
    public static let summary = "BALD with MC dropout (Houlsby et al.; Gal et al.)"
    public static let version = 1
    public static let parameters = [DropoutPasses.samples, DropoutPasses.dropout]

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        let passes = try inputs.requirePerturbation(name)
        return ScorePayload(scores: UncertaintyScores.bald(passes.values, passes: passes.samples))
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        Ranking.top(try inputs.score(ScorePayload.scoresField, for: name), count: inputs.count)
    }
}

@used @section("alflow_strategies")
let registerBALD: StrategyRegistry.Entry = { StrategyRegistry.declare(BALDStrategy.self) }
