import Tensors

/// What the targets are.
public enum Task: Equatable, Sendable {
    case classification(classes: Int)
    case regression

    public var classCount: Int? {
        if case .classification(let classes) = self { return classes }
        return nil
    }
}

/// Targets of a set of samples.
public enum Targets: Equatable, Sendable {
    /// Class indices in 0..<classes.
    case classes([Int32])
    /// One real value per sample.
    case values([Float])

    public var count: Int {
        switch self {
        case .classes(let c): return c.count
        case .values(let v): return v.count
        }
    }

    /// The targets of samples `indices`, in that order.
    public func gather(_ indices: [Int]) -> Targets {
        switch self {
        case .classes(let c): return .classes(indices.map { c[$0] })
        case .values(let v): return .values(indices.map { v[$0] })
        }
    }
}

/// Samples with their targets; `features` is `[n] + featureShape`.
public struct LabeledSamples: Equatable, Sendable {
    public var features: Tensor
    public var targets: Targets

    public init(features: Tensor, targets: Targets) {
        precondition(features.rowCount == targets.count, "features and targets differ in count")
        self.features = features
        self.targets = targets
    }

    public var count: Int { targets.count }

    public func subset(_ indices: [Int]) -> LabeledSamples {
        LabeledSamples(features: features.gatherRows(indices), targets: targets.gather(indices))
    }
}

/// Data as a loader produces it: all samples, and a test split when the
/// source has one of its own (IDX files come with a separate test set).
public struct RawDataset: Sendable {
    public var task: Task
    public var featureShape: [Int]
    public var featureNames: [String]
    public var samples: LabeledSamples
    public var test: LabeledSamples?
    /// Human-readable class names (class index → name), if known.
    public var classNames: [String]

    public init(task: Task, featureShape: [Int], featureNames: [String] = [], samples: LabeledSamples,
                test: LabeledSamples? = nil, classNames: [String] = []) {
        self.task = task
        self.featureShape = featureShape
        self.featureNames = featureNames
        self.samples = samples
        self.test = test
        self.classNames = classNames
    }
}

/// A data set ready for an experiment: the pool (training split) and the
/// test split, normalised with constants taken from the pool.
public struct Dataset: Sendable {
    public var task: Task
    public var featureShape: [Int]
    public var train: LabeledSamples
    public var test: LabeledSamples
    public var normalization: Normalization
    public var classNames: [String]

    public init(task: Task, featureShape: [Int], train: LabeledSamples, test: LabeledSamples,
                normalization: Normalization, classNames: [String] = []) {
        self.task = task
        self.featureShape = featureShape
        self.train = train
        self.test = test
        self.normalization = normalization
        self.classNames = classNames
    }
}
