import ActiveLearning

/// Noise Stability: the output deviation under relative weight noise, k-center
/// greedy on the deviation vectors from the origin (docs/algorithms.md §11).
public enum NoiseStabilityStrategy: QueryStrategy {
    public static let name = "noise_stability"
    public static let summary = "output deviation under relative weight noise, k-center on deviations (Li et al.)"
    public static let version = 1
    public static let supportsRegression = true
    public static let parameters = [
        StrategyParameter(name: "noise", kind: .double(above: 0, atLeast: nil, below: nil), default: .value(.double(0.001)), scope: .perturb,
                          help: "λ, the relative norm of each weight tensor's noise"),
        StrategyParameter(name: "samples", kind: .int(1...10_000), default: .value(.int(30)), scope: .perturb,
                          help: "K, the number of noise draws"),
        StrategyParameter(name: "selection", kind: .choice(["kcenter", "topk"]), default: .value(.text("kcenter")), scope: .select,
                          help: "k-center greedy on the deviations (origin first), or the largest ‖D‖"),
    ]

    /// Classification perturbs the probabilities; regression the penultimate features.
    public static func perturbation(_ parameters: StrategyParameters, isClassification: Bool) -> PerturbationRequest? {
        .noiseStability(samples: parameters.int("samples"), noise: parameters.number("noise"),
                        output: isClassification ? .probabilities : .embedding)
    }

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        ScorePayload(scores: NoiseStability.magnitudes(try inputs.requirePerturbation(name).values))
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        NoiseStability.select(deviations: try inputs.requirePerturbation(name).values, count: inputs.count,
                              rule: parameters.text("selection") == "topk" ? .topK : .kCenter)
    }
}

@used @section("alflow_strategies")
let registerNoiseStability: StrategyRegistry.Entry = { StrategyRegistry.declare(NoiseStabilityStrategy.self) }
