import Fingerprints
import ArtifactStore
import DataCatalog
import Datasets
import Tensors
import Workflows

/// Reading a workflow's data source (the load stage and validation share it).
public enum SourceLoading {
    /// The source's samples. A data set known by name reads its verified
    /// files from the store at `storeRoot` (fetched by `alflow fetch` or `run`).
    public static func raw(_ spec: DatasetSpec, storeRoot: String?) throws -> RawDataset {
        switch spec.source.value {
        case .builtin(let name):
            guard let known = KnownDataset.named(name) else { throw DataError(file: "builtin:\(name)", "unknown data set") }
            return try KnownDatasetLoading.load(known, storeRoot: storeRoot)
        case .idx(let trainImages, let trainLabels, let testImages, let testLabels):
            let (train, trainClasses) = try IDXLoader.samples(images: trainImages, labels: trainLabels)
            var test: LabeledSamples?
            var classes = trainClasses
            if let testImages, let testLabels {
                let (loaded, testClasses) = try IDXLoader.samples(images: testImages, labels: testLabels)
                test = loaded
                classes = max(classes, testClasses)
                guard loaded.features.shape.dropFirst() == train.features.shape.dropFirst() else {
                    throw DataError(file: testImages, "test images are \(loaded.features.shape.dropFirst()) but training images are \(train.features.shape.dropFirst())")
                }
            }
            return RawDataset(task: .classification(classes: classes), featureShape: Array(train.features.shape.dropFirst()),
                              samples: train, test: test, classNames: (0..<classes).map(String.init))
        case .csv(let path, let target, let drop, let missing, let columns):
            let task: CSVLoader.TaskKind = spec.task == .regression ? .regression : .classification
            return try CSVLoader.load(path, options: CSVLoader.Options(target: target, task: task, drop: drop,
                                                                        missingValues: Set(missing),
                                                                        missingColumns: columns == .error ? .error : .drop))
        case .npy(let features, let targets):
            let x = try NPYLoader.read(features)
            let y = try NPYLoader.read(targets)
            return try arrays(x.values, x.shape, y.values, spec: spec, featuresFile: features, targetsFile: targets)
        case .hdf5(let path, let features, let targets):
            let task: CSVLoader.TaskKind = spec.task == .regression ? .regression : .classification
            let (samples, kind) = try ArrayLoader.hdf5(path: path, features: features, targets: targets, task: task)
            return image(RawDataset(task: kind, featureShape: Array(samples.features.shape.dropFirst()), samples: samples), spec)
        case .synthetic(let sizes, let centers, let spread, let seed):
            return SyntheticDataset.blobs(sizes: sizes, centers: centers, spread: spread, seed: UInt64(seed)).generate()
        case .syntheticPool(let sizes, let dimensions, let spread, let seed, let test):
            // The whole set in memory, for tools; the load stage streams it (`LoadStage.streamedPool`).
            let pool = SyntheticPool(sizes: sizes, dimensions: dimensions, spread: spread, seed: UInt64(seed), test: test)
            let (poolLabels, testLabels) = pool.labels()
            let centers = pool.centers()
            func samples(_ rows: Int, test: Bool, _ labels: [Int32]) -> LabeledSamples {
                LabeledSamples(features: Tensor(shape: [rows, dimensions], scalars: pool.features(0..<rows, test: test, labels: labels, centers: centers)),
                               targets: .classes(labels))
            }
            return RawDataset(task: .classification(classes: sizes.count), featureShape: [dimensions],
                              samples: samples(pool.poolRows, test: false, poolLabels), test: samples(test, test: true, testLabels))
        }
    }

    static func arrays(_ x: [Double], _ shape: [Int], _ y: [Double], spec: DatasetSpec, featuresFile: String,
                       targetsFile: String) throws -> RawDataset {
        let task: CSVLoader.TaskKind = spec.task == .regression ? .regression : .classification
        let (samples, kind) = try ArrayLoader.samples(features: x, featureShape: shape, targets: y, task: task,
                                                      featuresFile: featuresFile, targetsFile: targetsFile)
        return image(RawDataset(task: kind, featureShape: Array(shape.dropFirst()), samples: samples), spec)
    }

    /// Image sources given as [n, h, w] get a channel axis: [n, h, w, 1].
    static func image(_ raw: RawDataset, _ spec: DatasetSpec) -> RawDataset {
        guard spec.isImage, raw.featureShape.count == 2 else { return raw }
        var result = raw
        result.featureShape = raw.featureShape + [1]
        result.samples.features = raw.samples.features.reshaped([raw.samples.count] + result.featureShape)
        return result
    }

    public static func preparation(_ spec: DatasetSpec) -> Preparation.Options {
        Preparation.Options(testFraction: spec.testFraction.value, split: spec.split.value == .ordered ? .ordered : .random,
                            splitSeed: UInt64(spec.splitSeed.value),
                            normalize: NormalizationMethod(rawValue: spec.normalize.value.rawValue) ?? .standardize,
                            standardizeTargets: spec.standardizeTarget.value)
    }

    /// Content digests of the source's files by role, for cache keys
    /// (memoised by stat in the store); the bundled digits by their bytes.
    /// A data set known by name is keyed by its files' published digests,
    /// which every file is verified against before use (no file is read here).
    public static func digests(_ source: DatasetSpec.Source, files: FileDigests) throws -> [String: String] {
        if case .builtin(let name) = source {
            guard let known = KnownDataset.named(name), !known.files.isEmpty else { return ["builtin": try BuiltinDigest.digits()] }
            return Dictionary(uniqueKeysWithValues: known.roles.map { ($0.role, $0.file.digest) })
        }
        var result: [String: String] = [:]
        for (role, path) in source.files { result[role] = try files.digest(of: path) }
        return result
    }
}

enum BuiltinDigest {
    private static let cached: Result<String, Error> = Result { Fingerprints.Digest.sha256(try BuiltinDataset.digitsCSV()) }

    static func digits() throws -> String { try cached.get() }
}
