import Tensors

/// How to split a source without a test set of its own.
public enum SplitMethod: String, Sendable, Equatable {
    /// A random permutation from the split seed; the last fraction is the test set.
    case random
    /// File order; the last fraction is the test set (the paper's Ames split:
    /// first half pool, second half test).
    case ordered
}

/// How to normalise features, with constants computed on the pool only.
public enum NormalizationMethod: String, Sendable, Equatable, CaseIterable {
    /// Per feature: (x − mean) / std (std of 0 treated as 1).
    case standardize
    /// One mean and std over all pool values (MNIST's 0.1307 / 0.3081 recipe).
    case global
    /// Per feature: (x − min) / (max − min) into [0, 1].
    case scale
    case none
}

/// The constants a normalisation used, stored so any value can be traced
/// back: features are `(x − shift) · factor` per feature, and regression
/// targets `(y − targetShift) · targetFactor`.
public struct Normalization: Equatable, Sendable {
    public var method: NormalizationMethod
    public var shift: [Float]
    public var factor: [Float]
    public var targetShift: Float
    public var targetFactor: Float

    public init(method: NormalizationMethod, shift: [Float], factor: [Float], targetShift: Float = 0, targetFactor: Float = 1) {
        self.method = method
        self.shift = shift
        self.factor = factor
        self.targetShift = targetShift
        self.targetFactor = targetFactor
    }

    /// A regression value back in the data's own units.
    public func originalTarget(_ value: Float) -> Float { value / targetFactor + targetShift }
}

/// Split and normalisation of a `RawDataset` into a `Dataset`.
public enum Preparation {
    /// Implementation version of splitting and normalisation (part of every load stage key).
    public static let version = 1

    public struct Options: Sendable, Equatable {
        public var testFraction: Double
        public var split: SplitMethod
        public var splitSeed: UInt64
        public var normalize: NormalizationMethod
        /// Standardise regression targets (from the pool); metrics are reported in original units.
        public var standardizeTargets: Bool

        public init(testFraction: Double = 0.3, split: SplitMethod = .random, splitSeed: UInt64 = 0,
                    normalize: NormalizationMethod = .standardize, standardizeTargets: Bool = true) {
            self.testFraction = testFraction
            self.split = split
            self.splitSeed = splitSeed
            self.normalize = normalize
            self.standardizeTargets = standardizeTargets
        }
    }

    public static func prepare(_ raw: RawDataset, options: Options, source: String) throws -> Dataset {
        let (train, test) = try split(raw, options: options, source: source)
        var normalization = fit(options.normalize, train.features)
        var trainSet = LabeledSamples(features: apply(normalization, train.features), targets: train.targets)
        var testSet = LabeledSamples(features: apply(normalization, test.features), targets: test.targets)
        if case .regression = raw.task, options.standardizeTargets, case .values(let y) = train.targets {
            let mean = y.reduce(0.0) { $0 + Double($1) } / Double(max(1, y.count))
            let variance = y.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(max(1, y.count))
            let std = variance > 1e-24 ? variance.squareRoot() : 1
            normalization.targetShift = Float(mean)
            normalization.targetFactor = Float(1 / std)
            trainSet.targets = transformValues(train.targets, normalization)
            testSet.targets = transformValues(test.targets, normalization)
        }
        return Dataset(task: raw.task, featureShape: raw.featureShape, train: trainSet, test: testSet,
                       normalization: normalization, classNames: raw.classNames)
    }

    static func transformValues(_ targets: Targets, _ n: Normalization) -> Targets {
        guard case .values(let y) = targets else { return targets }
        return .values(y.map { ($0 - n.targetShift) * n.targetFactor })
    }

    static func split(_ raw: RawDataset, options: Options, source: String) throws -> (LabeledSamples, LabeledSamples) {
        if let test = raw.test { return (raw.samples, test) }
        let n = raw.samples.count
        let testCount = Int((Double(n) * options.testFraction).rounded())
        guard testCount >= 1, testCount < n else {
            throw DataError(file: source, "a test fraction of \(options.testFraction) leaves \(testCount) of \(n) samples for testing")
        }
        var order = Array(0..<n)
        if options.split == .random {
            var random = RandomStream(seed: options.splitSeed, purpose: "train-test-split")
            order = random.permutation(n)
        }
        return (raw.samples.subset(Array(order[0..<(n - testCount)])), raw.samples.subset(Array(order[(n - testCount)...])))
    }

    /// Normalisation constants from the pool's features.
    public static func fit(_ method: NormalizationMethod, _ features: Tensor) -> Normalization {
        let width = features.rowWidth, rows = features.rowCount
        var shift = [Float](repeating: 0, count: width)
        var factor = [Float](repeating: 1, count: width)
        switch method {
        case .none:
            break
        case .global:
            let mean = features.sum / Double(max(1, features.count))
            var squares = 0.0
            for v in features.scalars { squares += (Double(v) - mean) * (Double(v) - mean) }
            let std = (squares / Double(max(1, features.count))).squareRoot()
            shift = [Float](repeating: Float(mean), count: width)
            factor = [Float](repeating: std > 1e-12 ? Float(1 / std) : 1, count: width)
        case .standardize, .scale:
            for j in 0..<width {
                var sum = 0.0, squares = 0.0
                var low = Double.infinity, high = -Double.infinity
                for i in 0..<rows {
                    let v = Double(features.scalars[i * width + j])
                    sum += v
                    squares += v * v
                    low = min(low, v)
                    high = max(high, v)
                }
                if method == .standardize {
                    let mean = sum / Double(max(1, rows))
                    let std = max(0, squares / Double(max(1, rows)) - mean * mean).squareRoot()
                    shift[j] = Float(mean)
                    factor[j] = std > 1e-12 ? Float(1 / std) : 1
                } else {
                    shift[j] = Float(low)
                    factor[j] = high - low > 1e-12 ? Float(1 / (high - low)) : 1
                }
            }
        }
        return Normalization(method: method, shift: shift, factor: factor)
    }

    public static func apply(_ n: Normalization, _ features: Tensor) -> Tensor {
        guard n.method != .none else { return features }
        var out = features
        let width = features.rowWidth
        for i in 0..<features.rowCount {
            for j in 0..<width { out.scalars[i * width + j] = (out.scalars[i * width + j] - n.shift[j]) * n.factor[j] }
        }
        return out
    }
}
