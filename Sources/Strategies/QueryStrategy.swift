import Tensors

/// A query strategy: one type in one file that declares its name, its
/// parameters (with defaults and validation), what it needs from the model
/// and the loop, and how it scores and selects. The workflow decoder, the
/// JSON Schema, the planner and the score and select stages all read these
/// declarations; nothing else lists strategies. A strategy registers itself
/// with one line in its own file (see `StrategyRegistry`).
public protocol QueryStrategy: Sendable {
    /// The name a workflow uses (`noise_stability`).
    static var name: String { get }
    /// One line for `alflow schema` and the README.
    static var summary: String { get }
    /// The implementation version: part of the key of every stage this
    /// strategy computes. Bump it whenever its scores or batches change.
    static var version: Int { get }
    /// Parameters with defaults; none by default.
    static var parameters: [StrategyParameter] { get }
    /// Works on regression tasks too (no class probabilities needed).
    static var supportsRegression: Bool { get }
    /// Has a score stage (all but random).
    static var hasScoreStage: Bool { get }
    /// Its score step reads the candidates' or the labelled set's penultimate features.
    static var usesEmbeddings: Bool { get }
    /// Its score step reads the model's last linear layer (`ScoringInputs.head()`).
    static var usesClassifierHead: Bool { get }
    /// The perturbation it reads (Noise Stability draws, MC-dropout passes), if any.
    static func perturbation(_ parameters: StrategyParameters, isClassification: Bool) -> PerturbationRequest?
    /// Problems of a combination of parameters and workflow that the parameter ranges cannot express.
    static func problems(_ parameters: StrategyParameters, _ context: StrategyContext) -> [StrategyProblem]
    /// The score stage: scores and the vectors its batch rule needs.
    static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload
    /// The batch: `inputs.count` distinct indices into the offered candidates.
    static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int]
}

extension QueryStrategy {
    public static var parameters: [StrategyParameter] { [] }
    public static var supportsRegression: Bool { false }
    public static var hasScoreStage: Bool { true }
    public static var usesEmbeddings: Bool { false }
    public static var usesClassifierHead: Bool { false }
    public static func perturbation(_ parameters: StrategyParameters, isClassification: Bool) -> PerturbationRequest? { nil }
    public static func problems(_ parameters: StrategyParameters, _ context: StrategyContext) -> [StrategyProblem] { [] }
    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload { ScorePayload() }
}

/// What a strategy's validation may look at besides its own parameters.
public struct StrategyContext: Sendable {
    public let isClassification: Bool
    /// False for models without dropout layers (the linear model).
    public let modelHasDropoutLayers: Bool

    public init(isClassification: Bool, modelHasDropoutLayers: Bool) {
        self.isClassification = isClassification
        self.modelHasDropoutLayers = modelHasDropoutLayers
    }
}

/// A validation problem: the message and, if there is one, the fix.
public struct StrategyProblem: Sendable, Equatable {
    public let message: String
    public let hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}

/// The perturb stage a strategy needs.
public enum PerturbFamily: String, Sendable, Codable { case noiseStability = "noise_stability", monteCarloDropout = "mc_dropout" }

/// What a perturb stage computes: Noise Stability draws or MC-dropout passes.
public struct PerturbationRequest: Sendable, Equatable, Codable {
    public enum Output: String, Sendable, Codable { case probabilities, embedding }

    public let family: PerturbFamily
    public let samples: Int
    /// λ, the relative noise norm (Noise Stability); nil for dropout passes.
    public let noise: Double?
    /// The dropout probability of the passes; nil for Noise Stability.
    public let dropout: Double?
    public let output: Output

    public static func noiseStability(samples: Int, noise: Double, output: Output) -> PerturbationRequest {
        PerturbationRequest(family: .noiseStability, samples: samples, noise: noise, dropout: nil, output: output)
    }

    public static func dropoutPasses(samples: Int, dropout: Double) -> PerturbationRequest {
        PerturbationRequest(family: .monteCarloDropout, samples: samples, noise: nil, dropout: dropout, output: .probabilities)
    }
}

/// A strategy that reads T Monte-Carlo dropout passes (BALD, expected
/// entropy, BatchBALD): the passes' perturb stage and the need for dropout
/// layers come with the conformance.
public protocol DropoutPassStrategy: QueryStrategy {}

extension DropoutPassStrategy {
    public static func perturbation(_ parameters: StrategyParameters, isClassification: Bool) -> PerturbationRequest? {
        DropoutPasses.request(parameters)
    }

    public static func problems(_ parameters: StrategyParameters, _ context: StrategyContext) -> [StrategyProblem] {
        DropoutPasses.problems(name, context)
    }
}

/// The parameters and perturbation the Monte-Carlo dropout strategies share.
public enum DropoutPasses {
    public static let samples = StrategyParameter(name: "samples", kind: .int(2...10_000), default: .value(.int(30)), scope: .perturb,
                                                  help: "Monte-Carlo dropout passes T (the noise-stability code runs 30)")
    public static let dropout = StrategyParameter(name: "dropout", kind: .double(above: 0, atLeast: nil, below: 1),
                                                  default: .modelDropout(otherwise: 0.3), scope: .perturb,
                                                  help: "dropout probability of the passes (default: the model's, else 0.3 as in the noise-stability code)")

    public static func request(_ parameters: StrategyParameters) -> PerturbationRequest {
        .dropoutPasses(samples: parameters.int("samples"), dropout: parameters.number("dropout"))
    }

    public static func problems(_ name: String, _ context: StrategyContext) -> [StrategyProblem] {
        context.modelHasDropoutLayers ? [] : [StrategyProblem("strategy '\(name)' needs dropout layers, which a linear model does not have",
                                                              hint: "use model mlp, smallnet or regression_mlp")]
    }
}
