/// The query strategies a workflow may name, with their parameters.
public enum StrategyKind: String, Sendable, CaseIterable {
    case random
    case leastConfidence = "least_confidence"
    case margin, entropy
    case bald
    case entropyBayesian = "entropy_bayesian"
    case batchBald = "batch_bald"
    case coreset, badge, typiclust, probcover, vessal
    case noiseStability = "noise_stability"
    case ibal
    case ibalD = "ibal_d"
    case entropyDistance = "entropy_distance"

    /// Monte-Carlo dropout strategies (a perturb stage of dropout passes).
    public var usesDropoutPasses: Bool { [.bald, .entropyBayesian, .batchBald].contains(self) }
    /// Strategies with a perturb stage.
    public var hasPerturbStage: Bool { usesDropoutPasses || self == .noiseStability }
    /// Strategies with a score stage (all but random).
    public var hasScoreStage: Bool { self != .random }
    /// Strategies that also need the labelled points' embeddings.
    public var needsLabeledEmbeddings: Bool { [.coreset, .typiclust, .probcover, .ibal, .ibalD, .entropyDistance].contains(self) }
    /// Strategies that work on regression tasks too.
    public var supportsRegression: Bool { [.random, .coreset, .noiseStability, .typiclust, .probcover, .vessal].contains(self) }

    public var summary: String {
        switch self {
        case .random: return "uniform random sampling"
        case .leastConfidence: return "1 − max p (Lewis & Gale)"
        case .margin: return "smallest gap between the two top probabilities"
        case .entropy: return "largest predictive entropy"
        case .bald: return "BALD with MC dropout (Houlsby et al.; Gal et al.)"
        case .entropyBayesian: return "expected entropy over MC-dropout passes (the noise-stability code's EntropyBayesian)"
        case .batchBald: return "BatchBALD, greedy joint mutual information (Kirsch et al.)"
        case .coreset: return "k-center greedy on embeddings from the labelled set (Sener & Savarese)"
        case .badge: return "k-means++ on gradient embeddings (Ash et al.)"
        case .typiclust: return "typical points of uncovered clusters (Hacohen et al.)"
        case .probcover: return "greedy coverage of δ-balls (Yehuda et al.)"
        case .vessal: return "streaming volume sampling (Saran et al.)"
        case .noiseStability: return "output deviation under relative weight noise, k-center on deviations (Li et al.)"
        case .ibal: return "importance from representer points, least first (Pezeshkpour et al.)"
        case .ibalD: return "IBAL minus γ · distance to the labelled set"
        case .entropyDistance: return "entropy plus γ · distance (the IBAL paper's baseline)"
        }
    }
}

/// A resolved strategy parameter.
public enum StrategyParameterValue: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case text(String)
    /// ProbCover's δ chosen automatically.
    case automatic
}

/// Which stage a parameter changes (and so which stages' keys include it).
public enum StageScope: Sendable { case perturb, score, select }

/// A parameter a strategy accepts.
public struct StrategyParameter: Sendable {
    public enum Kind: Sendable {
        case int(ClosedRange<Int>)
        /// A number with an exclusive lower bound and an optional exclusive upper one.
        case double(above: Double?, atLeast: Double?, below: Double?)
        case choice([String])
        /// A positive number or `auto`.
        case doubleOrAuto
    }

    public let name: String
    public let kind: Kind
    /// nil: resolved from the rest of the workflow (e.g. dropout from the model).
    public let defaultValue: StrategyParameterValue?
    public let scope: StageScope
    public let help: String
}

public enum StrategyCatalog {
    public static func parameters(_ kind: StrategyKind) -> [StrategyParameter] {
        let passes = StrategyParameter(name: "samples", kind: .int(2...10_000), defaultValue: .int(30), scope: .perturb,
                                       help: "Monte-Carlo dropout passes T (the noise-stability code runs 30)")
        let dropout = StrategyParameter(name: "dropout", kind: .double(above: 0, atLeast: nil, below: 1), defaultValue: nil, scope: .perturb,
                                        help: "dropout probability of the passes (default: the model's, else 0.3 as in the noise-stability code)")
        let gamma = StrategyParameter(name: "gamma", kind: .double(above: nil, atLeast: 0, below: nil), defaultValue: .double(1), scope: .select,
                                      help: "weight of the normalised distance term")
        let lambda = StrategyParameter(name: "lambda", kind: .double(above: 0, atLeast: nil, below: nil), defaultValue: .double(0.003), scope: .score,
                                       help: "L2 strength of the representer refit (Yeh et al.'s --lmbd)")
        let variant = StrategyParameter(name: "variant", kind: .choice(["A", "B"]), defaultValue: .text("A"), scope: .score,
                                        help: "A: representer value on each labelled target's class; B: over every class")
        switch kind {
        case .random, .leastConfidence, .margin, .entropy, .coreset, .badge, .typiclust:
            return []
        case .bald, .entropyBayesian:
            return [passes, dropout]
        case .batchBald:
            return [passes, dropout,
                    StrategyParameter(name: "configurations", kind: .int(1...1_000_000), defaultValue: .int(2000), scope: .select,
                                      help: "joint configurations enumerated, or sampled beyond this many")]
        case .probcover:
            return [StrategyParameter(name: "delta", kind: .doubleOrAuto, defaultValue: .automatic, scope: .select,
                                      help: "ball radius δ on L2-normalised embeddings, or auto (purity ≥ alpha)"),
                    StrategyParameter(name: "alpha", kind: .double(above: 0, atLeast: nil, below: 1.0000001), defaultValue: .double(0.95), scope: .select,
                                      help: "purity required by the automatic δ")]
        case .vessal:
            return [StrategyParameter(name: "embedding", kind: .choice(["gradient", "penultimate"]), defaultValue: .text("gradient"), scope: .score,
                                      help: "rank-1 gradient embeddings, or the penultimate features")]
        case .noiseStability:
            return [StrategyParameter(name: "noise", kind: .double(above: 0, atLeast: nil, below: nil), defaultValue: .double(0.001), scope: .perturb,
                                      help: "λ, the relative norm of each weight tensor's noise"),
                    StrategyParameter(name: "samples", kind: .int(1...10_000), defaultValue: .int(30), scope: .perturb,
                                      help: "K, the number of noise draws"),
                    StrategyParameter(name: "selection", kind: .choice(["kcenter", "topk"]), defaultValue: .text("kcenter"), scope: .select,
                                      help: "k-center greedy on the deviations (origin first), or the largest ‖D‖")]
        case .ibal:
            return [lambda, variant]
        case .ibalD:
            return [lambda, variant, gamma]
        case .entropyDistance:
            return [gamma]
        }
    }
}
