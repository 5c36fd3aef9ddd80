import ArtifactStore
import Datasets
import HDF5
import Tensors
import Workflows

/// load: reads the data source, splits it, normalises it with constants
/// from the pool, and stores the result (layout: `LoadPayload`).
enum LoadStage {
    /// Implementation version (part of every load stage key): bump it whenever what this file computes changes.
    static let version = 1

    static func compute(_ spec: DatasetSpec, storeRoot: String) throws -> ArtifactContent {
        if case .syntheticPool(let sizes, let dimensions, let spread, let seed, let test) = spec.source.value {
            return streamedPool(SyntheticPool(sizes: sizes, dimensions: dimensions, spread: spread, seed: UInt64(seed), test: test),
                                normalize: SourceLoading.preparation(spec).normalize)
        }
        let raw: RawDataset
        let data: Dataset
        do {
            raw = try SourceLoading.raw(spec, storeRoot: storeRoot)
            data = try Preparation.prepare(raw, options: SourceLoading.preparation(spec), source: spec.source.value.kind)
        } catch let error as DataError {
            throw StageError.invalidData(error.description)
        }
        var content = ArtifactContent()
        for (name, samples) in [("train", data.train), ("test", data.test)] {
            content.arrays["\(name)/features"] = HDF5Array(samples.features)
            switch samples.targets {
            case .classes(let labels): content.arrays["\(name)/targets"] = HDF5Array(labels)
            case .values(let values): content.arrays["\(name)/targets"] = HDF5Array(values)
            }
        }
        content.arrays["normalization/shift"] = HDF5Array(data.normalization.shift)
        content.arrays["normalization/factor"] = HDF5Array(data.normalization.factor)
        content.arrays["feature_shape"] = HDF5Array(data.featureShape.map(Int64.init))
        content.attributes["task"] = .string(data.task.classCount == nil ? "regression" : "classification")
        content.attributes["classes"] = .integer(Int64(data.task.classCount ?? 1))
        content.attributes["normalization"] = .string(data.normalization.method.rawValue)
        content.attributes["target_shift"] = .double(Double(data.normalization.targetShift))
        content.attributes["target_factor"] = .double(Double(data.normalization.targetFactor))
        if !data.classNames.isEmpty { content.attributes["class_names"] = .strings(data.classNames) }
        return content
    }

    /// A generated pool written straight into the store: the features are
    /// produced a block of rows at a time while the object is written
    /// (after one pass over the pool for the normalisation), so the whole
    /// pool is never in memory. The same layout as any load object.
    static func streamedPool(_ pool: SyntheticPool, normalize: NormalizationMethod) -> ArtifactContent {
        let (poolLabels, testLabels) = pool.labels()
        let centers = pool.centers()
        let normalization = pool.fit(normalize, labels: poolLabels, centers: centers)
        var content = ArtifactContent()
        let width = pool.dimensions
        for (name, rows, labels, isTest) in [("train", pool.poolRows, poolLabels, false), ("test", pool.test, testLabels, true)] {
            content.streamed["\(name)/features"] = StreamedArray(elementType: .float32, shape: [rows, width], blockRows: 4096) { range in
                HDF5Array(pool.normalizedFeatures(range, test: isTest, labels: labels, centers: centers, normalization: normalization),
                          shape: [range.count, width])
            }
            content.arrays["\(name)/targets"] = HDF5Array(labels)
        }
        content.arrays["normalization/shift"] = HDF5Array(normalization.shift)
        content.arrays["normalization/factor"] = HDF5Array(normalization.factor)
        content.arrays["feature_shape"] = HDF5Array([Int64(width)])
        content.attributes["task"] = .string("classification")
        content.attributes["classes"] = .integer(Int64(pool.classes))
        content.attributes["normalization"] = .string(normalization.method.rawValue)
        content.attributes["target_shift"] = .double(0)
        content.attributes["target_factor"] = .double(1)
        return content
    }
}
