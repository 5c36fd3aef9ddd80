import ActiveLearning

/// IBAL: importance of each candidate from representer points of a refitted
/// last layer, least important first (docs/algorithms.md §12).
public enum IBALStrategy: QueryStrategy {
    public static let name = "ibal"
    public static let summary = "importance from representer points, least first (Pezeshkpour et al.)"
    public static let version = 1
    public static let usesEmbeddings = true
    public static let lambda = StrategyParameter(name: "lambda", kind: .double(above: 0, atLeast: nil, below: nil), default: .value(.double(0.003)),
                                                 scope: .score, help: "L2 strength of the representer refit (Yeh et al.'s --lmbd)")
    public static let variant = StrategyParameter(name: "variant", kind: .choice(["A", "B"]), default: .value(.text("A")), scope: .score,
                                                  help: "A: representer value on each labelled target's class; B: over every class")
    public static let parameters = [lambda, variant]

    /// Importance scores with the candidates' and labelled points' features (IBAL-D reads them too).
    static func importance(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        let labeled = try inputs.labeledEmbeddings()
        let scores = IBAL.importance(probabilities: inputs.probabilities(), candidateEmbeddings: try inputs.embeddings,
                                     labeledEmbeddings: labeled, labels: try inputs.labeledLabels(), lambda: parameters.number("lambda"),
                                     variant: parameters.text("variant") == "B" ? .b : .a)
        return ScorePayload(scores: scores, embeddings: try inputs.embeddings, labeledEmbeddings: labeled)
    }

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        try importance(inputs, parameters)
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        IBAL.select(importance: try inputs.score(ScorePayload.scoresField, for: name), count: inputs.count)
    }
}

@used @section("alflow_strategies")
let registerIBAL: StrategyRegistry.Entry = { StrategyRegistry.declare(IBALStrategy.self) }
