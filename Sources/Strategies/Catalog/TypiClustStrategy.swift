import ActiveLearning
import Tensors

/// TypiClust: the most typical point of each of the largest uncovered clusters (docs/algorithms.md §8).
public enum TypiClustStrategy: QueryStrategy {
    public static let name = "typiclust"
    public static let summary = "typical points of uncovered clusters (Hacohen et al.)"
    public static let version = 1
    public static let usesEmbeddings = true
    public static let supportsRegression = true

    /// Labelled points first, then the candidates, L2-normalised.
    static func points(_ inputs: ScoringInputs) throws -> ScorePayload {
        let labeled = try inputs.labeledEmbeddings()
        return ScorePayload(vectors: Tensor.concatenateRows([labeled, try inputs.embeddings]).normalizedRows(), labeledCount: labeled.rowCount)
    }

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        try points(inputs)
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        TypiClust.select(features: try inputs.score(ScorePayload.vectorsField, for: name),
                         labeledCount: try inputs.score(ScorePayload.labeledCountField, for: name), count: inputs.count, seed: inputs.seed)
    }
}

@used @section("alflow_strategies")
let registerTypiClust: StrategyRegistry.Entry = { StrategyRegistry.declare(TypiClustStrategy.self) }
