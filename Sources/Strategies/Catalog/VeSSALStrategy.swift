import ActiveLearning

/// VeSSAL: streaming volume sampling over gradient (or penultimate) embeddings (docs/algorithms.md §10).
public enum VeSSALStrategy: QueryStrategy {
    public static let name = "vessal"
    public static let summary = "streaming volume sampling (Saran et al.)"
    public static let version = 1
    public static let usesEmbeddings = true
    public static let supportsRegression = true
    public static let parameters = [
        StrategyParameter(name: "embedding", kind: .choice(["gradient", "penultimate"]), default: .value(.text("gradient")), scope: .score,
                          help: "rank-1 gradient embeddings, or the penultimate features"),
    ]

    public static func problems(_ parameters: StrategyParameters, _ context: StrategyContext) -> [StrategyProblem] {
        guard !context.isClassification, parameters.text("embedding") == "gradient" else { return [] }
        return [StrategyProblem("vessal's gradient embeddings need classes; set 'embedding: penultimate' for regression")]
    }

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        let penultimate = parameters.text("embedding") == "penultimate" || !inputs.isClassification
        return ScorePayload(vectors: penultimate ? try inputs.embeddings
            : VeSSAL.gradientEmbeddings(probabilities: inputs.probabilities(), embeddings: try inputs.embeddings))
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        VeSSAL.select(embeddings: try inputs.score(ScorePayload.vectorsField, for: name), count: inputs.count, seed: inputs.seed)
    }
}

@used @section("alflow_strategies")
let registerVeSSAL: StrategyRegistry.Entry = { StrategyRegistry.declare(VeSSALStrategy.self) }
