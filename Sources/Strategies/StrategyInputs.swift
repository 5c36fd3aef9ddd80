import Tensors

/// What a strategy's score step can ask of the trained model and the loop.
/// Everything is computed on first use and only then.
public struct ScoringInputs: Sendable {
    public let isClassification: Bool
    /// Number of classes (1 for regression).
    public let classes: Int
    /// Penultimate features of the candidates `[n, d]`, computed on first use
    /// (a strategy that reads them declares `usesEmbeddings`).
    public var embeddings: Tensor { get throws { try makeEmbeddings() } }
    /// The seed of this score stage's random streams (a function of its key).
    public let seed: UInt64
    private let makeEmbeddings: @Sendable () throws -> Tensor
    private let makeProbabilities: @Sendable () -> Tensor
    private let makeLabeledEmbeddings: @Sendable () throws -> Tensor
    private let makeLabeledLabels: @Sendable () throws -> [Int32]
    private let makeHead: @Sendable () throws -> ClassifierHead
    /// The perturbation stage's output, for strategies that declare one.
    public let perturbation: PerturbationPayload?

    public init(isClassification: Bool, classes: Int, embeddings: Tensor, seed: UInt64, probabilities: @escaping @Sendable () -> Tensor,
                labeledEmbeddings: @escaping @Sendable () throws -> Tensor, labeledLabels: @escaping @Sendable () throws -> [Int32],
                head: @escaping @Sendable () throws -> ClassifierHead, perturbation: PerturbationPayload?) {
        self.init(isClassification: isClassification, classes: classes, seed: seed, embeddings: { embeddings }, probabilities: probabilities,
                  labeledEmbeddings: labeledEmbeddings, labeledLabels: labeledLabels, head: head, perturbation: perturbation)
    }

    /// With the candidates' embeddings computed only if a strategy asks for them.
    public init(isClassification: Bool, classes: Int, seed: UInt64, embeddings: @escaping @Sendable () throws -> Tensor,
                probabilities: @escaping @Sendable () -> Tensor, labeledEmbeddings: @escaping @Sendable () throws -> Tensor,
                labeledLabels: @escaping @Sendable () throws -> [Int32], head: @escaping @Sendable () throws -> ClassifierHead,
                perturbation: PerturbationPayload?) {
        self.isClassification = isClassification
        self.classes = classes
        makeEmbeddings = embeddings
        self.seed = seed
        makeProbabilities = probabilities
        makeLabeledEmbeddings = labeledEmbeddings
        makeLabeledLabels = labeledLabels
        makeHead = head
        self.perturbation = perturbation
    }

    /// Softmax of the candidates `[n, C]`.
    public func probabilities() -> Tensor { makeProbabilities() }
    /// Penultimate features of the labelled set `[m, d]`, in labelling order.
    public func labeledEmbeddings() throws -> Tensor { try makeLabeledEmbeddings() }
    /// Classes of the labelled set, in labelling order.
    public func labeledLabels() throws -> [Int32] { try makeLabeledLabels() }
    /// The last layer: logits = embeddings · weights + bias.
    public func head() throws -> ClassifierHead { try makeHead() }

    public func requirePerturbation(_ strategy: String) throws -> PerturbationPayload {
        guard let perturbation else { throw StrategyError.missingInput(strategy: strategy, what: "its perturbation stage's output") }
        return perturbation
    }
}

/// The output layer of a classifier, weights stored `[d, C]`.
public struct ClassifierHead: Sendable {
    public let weights: Tensor
    public let bias: [Float]

    public init(weights: Tensor, bias: [Float]) {
        self.weights = weights
        self.bias = bias
    }
}

/// What a strategy's batch rule gets.
public struct QueryInputs: Sendable {
    /// The batch size (at most the number offered).
    public let count: Int
    /// How many candidates were offered (indices are into them).
    public let offered: Int
    /// Number of classes (1 for regression).
    public let classes: Int
    /// The seed of this selection's random streams.
    public let seed: UInt64
    public let score: ScorePayload?
    public let perturbation: PerturbationPayload?

    public init(count: Int, offered: Int, classes: Int, seed: UInt64, score: ScorePayload?, perturbation: PerturbationPayload?) {
        self.count = count
        self.offered = offered
        self.classes = classes
        self.seed = seed
        self.score = score
        self.perturbation = perturbation
    }

    /// An array of the score stage's output, or a clear error naming it.
    public func score<Value>(_ field: ScorePayload.Field<Value>, for strategy: String) throws -> Value {
        guard let score else { throw StrategyError.missingInput(strategy: strategy, what: "its score stage's output") }
        guard let value = score[keyPath: field.path] else {
            throw StrategyError.missingInput(strategy: strategy, what: "the score array '\(field.name)'")
        }
        return value
    }

    public func requirePerturbation(_ strategy: String) throws -> PerturbationPayload {
        guard let perturbation else { throw StrategyError.missingInput(strategy: strategy, what: "its perturbation stage's output") }
        return perturbation
    }
}

public enum StrategyError: Error, CustomStringConvertible, Sendable {
    case missingInput(strategy: String, what: String)
    case invalidData(String)

    public var description: String {
        switch self {
        case .missingInput(let strategy, let what): return "\(strategy): \(what) is missing"
        case .invalidData(let message): return message
        }
    }
}
