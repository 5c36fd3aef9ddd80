/// A validated workflow: every field typed, defaults resolved, every value
/// carrying its origin (file:line:col, or "default").
public struct Workflow: Sendable {
    /// The workflow file (absolute path) and its folder, against which relative paths resolve.
    public var file: String
    public var folder: String
    public var name: Located<String>
    public var description: String?
    public var seeds: Located<[UInt64]>
    public var dataset: DatasetSpec
    public var model: ModelSpec
    public var train: TrainSpec
    public var loop: LoopSpec
    public var strategies: [StrategySpec]
    public var metrics: Located<[Metric]>
    /// How results are compared (never part of a key).
    public var report = ReportSpec()
    /// What cluster jobs ask for, by stage kind (never part of a key).
    public var resources = ResourcesSpec()

    public var isClassification: Bool { dataset.task == .classification }
}

/// `report: {baseline: NAME, targets: [0.9, 0.95]}`: the strategy every other is
/// paired against (default random, else the first), and the metric values whose
/// labelled-set size to reach the report gives.
public struct ReportSpec: Sendable {
    public var baseline: Located<String>?
    public var targets: Located<[Double]>?

    public init(baseline: Located<String>? = nil, targets: Located<[Double]>? = nil) {
        self.baseline = baseline
        self.targets = targets
    }
}

public enum TaskKind: String, Sendable, Equatable, CaseIterable, Encodable { case classification, regression }

/// How the test split is drawn when the source has none.
public enum SplitRule: String, Sendable, CaseIterable, Encodable { case random, ordered }
/// How features are scaled (statistics from the training split only).
public enum Normalization: String, Sendable, CaseIterable, Encodable { case standardize, global, scale, none }
/// What a CSV loader does with a column that has missing values.
public enum MissingColumns: String, Sendable, CaseIterable, Encodable { case drop, error }
public enum OptimizerChoice: String, Sendable, CaseIterable, Encodable { case adam, sgd }
/// Each cycle's training starts from fresh weights or from the previous cycle's.
public enum Restart: String, Sendable, CaseIterable, Encodable { case scratch, warm }
/// `auto`: the noise-stability code's class-balanced loss while the labelled set fits one batch; `never`.
public enum ClassBalancing: String, Sendable, CaseIterable, Encodable { case auto, never }

/// Where the data comes from and how it is prepared.
public struct DatasetSpec: Sendable {
    public enum Source: Sendable, Equatable {
        case builtin(name: String)
        case idx(trainImages: String, trainLabels: String, testImages: String?, testLabels: String?)
        case csv(path: String, target: String, drop: [String], missingValues: [String], missingColumns: MissingColumns)
        case npy(features: String, targets: String)
        case hdf5(path: String, features: String, targets: String)
        case synthetic(sizes: [Int], centers: [[Double]], spread: Double, seed: Int)
        /// Gaussian blobs in `dimensions` dimensions generated row by row
        /// straight into the store (`synthetic: {kind: blobs, dimensions: …}`),
        /// with `test` rows of its own (`SyntheticPool`).
        case syntheticPool(sizes: [Int], dimensions: Int, spread: Double, seed: Int, test: Int)

        public var kind: String {
            switch self {
            case .builtin: return "builtin"
            case .idx: return "idx"
            case .csv: return "csv"
            case .npy: return "npy"
            case .hdf5: return "hdf5"
            case .synthetic, .syntheticPool: return "synthetic"
            }
        }

        /// The external files read, by role (absolute paths).
        public var files: [(role: String, path: String)] {
            switch self {
            case .builtin, .synthetic, .syntheticPool: return []
            case .idx(let a, let b, let c, let d):
                return [("train_images", a), ("train_labels", b)] + (c.map { [("test_images", $0)] } ?? []) + (d.map { [("test_labels", $0)] } ?? [])
            case .csv(let path, _, _, _, _): return [("table", path)]
            case .npy(let features, let targets): return [("features", features), ("targets", targets)]
            case .hdf5(let path, _, _): return [("file", path)]
            }
        }
    }

    public var source: Located<Source>
    public var task: TaskKind
    /// True when the samples are images (height × width × channels).
    public var isImage: Bool
    public var testFraction: Located<Double>
    public var split: Located<SplitRule>
    public var splitSeed: Located<Int>
    public var normalize: Located<Normalization>
    public var standardizeTarget: Located<Bool>
}

/// Encodes without `location` (cosmetic; see SpecificationEncoding.swift).
public struct ModelSpec: Sendable, Equatable, Encodable {
    public enum Kind: String, Sendable, CaseIterable, Encodable { case mlp, smallnet, regressionMLP = "regression_mlp", linear, external }
    public var kind: Kind
    public var hidden: [Int]
    public var dropout: Double
    public var location: SourceLocation?
    /// The external model's command and identity (kind `external` only).
    public var external: ExternalModelSpec?

    public init(kind: Kind, hidden: [Int], dropout: Double, location: SourceLocation?, external: ExternalModelSpec? = nil) {
        self.kind = kind
        self.hidden = hidden
        self.dropout = dropout
        self.location = location
        self.external = external
    }

    enum CodingKeys: String, CodingKey { case kind, hidden, dropout, external }
}

/// Every field is read by training, so every field is in its key.
public struct TrainSpec: Sendable, Encodable {
    public var epochs: Located<Int>
    public var batchSize: Located<Int>
    public var optimizer: Located<OptimizerChoice>
    public var learningRate: Located<Double>
    public var momentum: Located<Double>
    public var weightDecay: Located<Double>
    public var milestones: Located<[Int]>
    public var gamma: Located<Double>
    public var restart: Located<Restart>
    public var classBalanced: Located<ClassBalancing>
}

public struct LoopSpec: Sendable {
    public var initial: Located<Int>
    public var query: Located<Int>
    /// Train/evaluate rounds; queries happen between them (cycles − 1 queries).
    public var cycles: Located<Int>
    /// Candidates scored per query (nil: the whole unlabelled pool).
    public var candidates: Located<Int?>
    public var coverClasses: Located<Bool>
}

public enum Metric: String, Sendable, CaseIterable, Encodable {
    case accuracy, rmse, mae

    public var isClassification: Bool { self == .accuracy }
    /// Where an evaluate object stores it.
    public var arrayPath: String { "metrics/" + rawValue }

    /// Larger is better for accuracy; smaller for errors.
    public var higherIsBetter: Bool { self == .accuracy }
}

/// One strategy of the comparison: a display name, its kind and resolved parameters.
public struct StrategySpec: Sendable {
    public var name: String
    public var kind: StrategyKind
    public var parameters: StrategyParameters
    public var location: SourceLocation
}
