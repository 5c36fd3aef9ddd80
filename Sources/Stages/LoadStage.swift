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
}
