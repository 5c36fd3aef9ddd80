import ActiveLearning

/// IBAL-D: IBAL's importance minus γ times the normalised distance to the labelled set (docs/algorithms.md §12).
public enum IBALDistanceStrategy: QueryStrategy {
    public static let name = "ibal_d"
    public static let summary = "IBAL minus γ · distance to the labelled set"
    public static let version = 1
    public static let usesEmbeddings = true
    public static let parameters = [IBALStrategy.lambda, IBALStrategy.variant, EntropyDistanceStrategy.gamma]

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        try IBALStrategy.importance(inputs, parameters)
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        IBAL.selectWithDistance(importance: try inputs.score(ScorePayload.scoresField, for: name),
                                candidateEmbeddings: try inputs.score(ScorePayload.embeddingsField, for: name),
                                labeledEmbeddings: try inputs.score(ScorePayload.labeledEmbeddingsField, for: name),
                                gamma: parameters.number("gamma"), count: inputs.count)
    }
}

@used @section("alflow_strategies")
let registerIBALDistance: StrategyRegistry.Entry = { StrategyRegistry.declare(IBALDistanceStrategy.self) }
