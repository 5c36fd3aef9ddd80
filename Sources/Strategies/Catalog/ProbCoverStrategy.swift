import ActiveLearning

/// ProbCover: greedy coverage of δ-balls on L2-normalised features, δ fixed or chosen by purity (docs/algorithms.md §9).
public enum ProbCoverStrategy: QueryStrategy {
    public static let name = "probcover"
    public static let summary = "greedy coverage of δ-balls (Yehuda et al.)"
    public static let version = 1
    public static let usesEmbeddings = true
    public static let supportsRegression = true
    public static let parameters = [
        StrategyParameter(name: "delta", kind: .doubleOrAuto, default: .value(.automatic), scope: .select,
                          help: "ball radius δ on L2-normalised embeddings, or auto (purity ≥ alpha)"),
        StrategyParameter(name: "alpha", kind: .double(above: 0, atLeast: nil, below: 1.0000001), default: .value(.double(0.95)), scope: .select,
                          help: "purity required by the automatic δ"),
    ]

    public static func problems(_ parameters: StrategyParameters, _ context: StrategyContext) -> [StrategyProblem] {
        guard !context.isClassification, parameters.isAutomatic("delta") else { return [] }
        return [StrategyProblem("probcover's automatic δ needs classes; give 'delta' for a regression task")]
    }

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        try TypiClustStrategy.points(inputs)
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        let vectors = try inputs.score(ScorePayload.vectorsField, for: name)
        let delta = parameters.isAutomatic("delta")
            ? ProbCover.automaticDelta(features: vectors, classes: inputs.classes, alpha: parameters.number("alpha"), seed: inputs.seed)
            : parameters.number("delta")
        return ProbCover.select(features: vectors, labeledCount: try inputs.score(ScorePayload.labeledCountField, for: name),
                                count: inputs.count, delta: delta, seed: inputs.seed)
    }
}

@used @section("alflow_strategies")
let registerProbCover: StrategyRegistry.Entry = { StrategyRegistry.declare(ProbCoverStrategy.self) }
