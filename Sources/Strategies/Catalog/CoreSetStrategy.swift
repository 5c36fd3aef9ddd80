import ActiveLearning

/// Core-set: k-center greedy on penultimate features, the labelled set as initial centres (docs/algorithms.md §5).
public enum CoreSetStrategy: QueryStrategy {
    public static let name = "coreset"
    public static let summary = "k-center greedy on embeddings from the labelled set (Sener & Savarese)"
    public static let version = 1
    public static let usesEmbeddings = true
    public static let supportsRegression = true

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        ScorePayload(embeddings: try inputs.embeddings, labeledEmbeddings: try inputs.labeledEmbeddings())
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        KCenterGreedy.select(points: try inputs.score(ScorePayload.embeddingsField, for: name), count: inputs.count,
                             centers: try inputs.score(ScorePayload.labeledEmbeddingsField, for: name))
    }
}

@used @section("alflow_strategies")
let registerCoreSet: StrategyRegistry.Entry = { StrategyRegistry.declare(CoreSetStrategy.self) }
