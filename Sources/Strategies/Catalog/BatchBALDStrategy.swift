import ActiveLearning

/// BatchBALD: greedy joint mutual information over T dropout passes (docs/algorithms.md §4).
public enum BatchBALDStrategy: DropoutPassStrategy {
    public static let name = "batch_bald"
    public static let summary = "BatchBALD, greedy joint mutual information (Kirsch et al.)"
    public static let version = 1
    public static let parameters = [
        DropoutPasses.samples, DropoutPasses.dropout,
        StrategyParameter(name: "configurations", kind: .int(1...1_000_000), default: .value(.int(2000)), scope: .select,
                          help: "joint configurations enumerated, or sampled beyond this many"),
    ]
    public static let hasScoreStage = true

    /// The BALD scores are recorded beside the batch (the batch rule reads the passes).
    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        let passes = try inputs.requirePerturbation(name)
        return ScorePayload(scores: UncertaintyScores.bald(passes.values, passes: passes.samples))
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        let passes = try inputs.requirePerturbation(name)
        return BatchBALD.select(monteCarlo: passes.values, passes: passes.samples, count: inputs.count,
                                configurations: parameters.int("configurations"), seed: inputs.seed)
    }
}

@used @section("alflow_strategies")
let registerBatchBALD: StrategyRegistry.Entry = { StrategyRegistry.declare(BatchBALDStrategy.self) }
