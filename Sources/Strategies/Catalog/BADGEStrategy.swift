import ActiveLearning

/// BADGE: k-means++ seeding on gradient embeddings (e_ŷ − p) ⊗ h (docs/algorithms.md §6).
public enum BADGEStrategy: QueryStrategy {
    public static let name = "badge"
    public static let summary = "k-means++ on gradient embeddings (Ash et al.)"
    public static let version = 1
    public static let usesEmbeddings = true

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        ScorePayload(embeddings: try inputs.embeddings, classFactors: BADGE.classFactors(probabilities: inputs.probabilities()))
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        BADGE.select(classFactors: try inputs.score(ScorePayload.classFactorsField, for: name),
                     embeddings: try inputs.score(ScorePayload.embeddingsField, for: name), count: inputs.count, seed: inputs.seed)
    }
}

@used @section("alflow_strategies")
let registerBADGE: StrategyRegistry.Entry = { StrategyRegistry.declare(BADGEStrategy.self) }
