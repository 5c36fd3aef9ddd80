import ActiveLearning

/// Entropy plus γ times the normalised distance to the labelled set, greedily (the IBAL paper's baseline; docs/algorithms.md §13).
public enum EntropyDistanceStrategy: QueryStrategy {
    public static let name = "entropy_distance"
    public static let summary = "entropy plus γ · distance (the IBAL paper's baseline)"
    public static let version = 1
    public static let usesEmbeddings = true
    public static let gamma = StrategyParameter(name: "gamma", kind: .double(above: nil, atLeast: 0, below: nil), default: .value(.double(1)),
                                                scope: .select, help: "weight of the normalised distance term")
    public static let parameters = [gamma]

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        ScorePayload(scores: UncertaintyScores.entropy(inputs.probabilities()), embeddings: try inputs.embeddings,
                     labeledEmbeddings: try inputs.labeledEmbeddings())
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        DistanceGreedy.select(scores: try inputs.score(ScorePayload.scoresField, for: name),
                              candidateEmbeddings: try inputs.score(ScorePayload.embeddingsField, for: name),
                              labeledEmbeddings: try inputs.score(ScorePayload.labeledEmbeddingsField, for: name),
                              gamma: parameters.number("gamma"), count: inputs.count)
    }
}

@used @section("alflow_strategies")
let registerEntropyDistance: StrategyRegistry.Entry = { StrategyRegistry.declare(EntropyDistanceStrategy.self) }
