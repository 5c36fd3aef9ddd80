import Tensors

/// The score stage's output. Each strategy fills the fields its batch rule
/// reads; the score stage writes them under these array names, and the
/// select stage reads them back with their shapes checked.
///
///     scores               [n]       larger = query first (entropy, BALD, ‖D‖, IBAL importance…)
///     embeddings           [n, d]    penultimate features of the candidates
///     labeled_embeddings   [m, d]    …of the labelled set (core-set, IBAL, distance terms)
///     class_factors        [n, C]    BADGE's e_ŷ − p
///     vectors              [L+n, d] or [n, D]  TypiClust/ProbCover points (labelled first) or VeSSAL embeddings
///     labeled_count        attribute: L, the labelled rows at the top of `vectors`
public struct ScorePayload: Sendable {
    public var scores: [Float]?
    public var embeddings: Tensor?
    public var labeledEmbeddings: Tensor?
    public var classFactors: Tensor?
    public var vectors: Tensor?
    public var labeledCount: Int?

    public init(scores: [Float]? = nil, embeddings: Tensor? = nil, labeledEmbeddings: Tensor? = nil, classFactors: Tensor? = nil,
                vectors: Tensor? = nil, labeledCount: Int? = nil) {
        self.scores = scores
        self.embeddings = embeddings
        self.labeledEmbeddings = labeledEmbeddings
        self.classFactors = classFactors
        self.vectors = vectors
        self.labeledCount = labeledCount
    }

    /// A field with its stored name.
    public struct Field<Value>: Sendable {
        public let name: String
        public let path: KeyPath<ScorePayload, Value?> & Sendable
    }

    public static let scoresField = Field<[Float]>(name: "scores", path: \.scores)
    public static let embeddingsField = Field<Tensor>(name: "embeddings", path: \.embeddings)
    public static let labeledEmbeddingsField = Field<Tensor>(name: "labeled_embeddings", path: \.labeledEmbeddings)
    public static let classFactorsField = Field<Tensor>(name: "class_factors", path: \.classFactors)
    public static let vectorsField = Field<Tensor>(name: "vectors", path: \.vectors)
    public static let labeledCountField = Field<Int>(name: "labeled_count", path: \.labeledCount)

    /// The matrices by stored name (for writing and reading).
    public static let matrices: [(name: String, path: WritableKeyPath<ScorePayload, Tensor?> & Sendable)] = [
        ("embeddings", \.embeddings), ("labeled_embeddings", \.labeledEmbeddings), ("class_factors", \.classFactors), ("vectors", \.vectors),
    ]
}

/// The perturb stage's output.
///
///     deviations      [n, K·w]  Noise Stability: (o_k − o)/‖o‖ for K weight-noise draws
///     probabilities   [n, T·C]  Monte-Carlo dropout: softmax of T dropout passes
///     samples         attribute: K or T
public struct PerturbationPayload: Sendable {
    public let family: PerturbFamily
    public let samples: Int
    /// Noise Stability's deviations, or the dropout passes' probabilities.
    public let values: Tensor

    public init(family: PerturbFamily, samples: Int, values: Tensor) {
        self.family = family
        self.samples = samples
        self.values = values
    }

    /// The array name of `values` for each family.
    public static func arrayName(_ family: PerturbFamily) -> String {
        family == .noiseStability ? "deviations" : "probabilities"
    }
}
