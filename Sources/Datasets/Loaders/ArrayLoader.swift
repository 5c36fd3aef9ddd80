import HDF5
import Tensors

/// Builds samples from a features array and a targets array, as read from
/// `.npy` files or HDF5 datasets.
public enum ArrayLoader {
    /// Implementation version (part of the load stage key of NPY and HDF5 sources); bump on any change of what it reads.
    public static let version = 1

    public static func samples(features: [Double], featureShape: [Int], targets: [Double], task: CSVLoader.TaskKind,
                               featuresFile: String, targetsFile: String) throws -> (LabeledSamples, Task) {
        guard let n = featureShape.first, featureShape.count >= 2 else {
            throw DataError(file: featuresFile, "features need at least 2 dimensions (samples × features), found shape \(featureShape)")
        }
        guard targets.count == n else {
            throw DataError(file: targetsFile, "\(targets.count) targets for \(n) samples in \(featuresFile)")
        }
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            throw DataError(file: featuresFile, "feature value \(bad) is not a finite number")
        }
        let tensor = Tensor(shape: featureShape, scalars: features.map(Float.init))
        switch task {
        case .regression:
            if let bad = targets.firstIndex(where: { !$0.isFinite }) {
                throw DataError(file: targetsFile, "target \(bad) is not a finite number")
            }
            return (LabeledSamples(features: tensor, targets: .values(targets.map(Float.init))), .regression)
        case .classification:
            if let bad = targets.firstIndex(where: { $0 < 0 || $0 != $0.rounded() || $0 > 1e6 }) {
                throw DataError(file: targetsFile, "class label \(targets[bad]) at index \(bad) is not a non-negative integer")
            }
            let classes = Int(targets.max() ?? 0) + 1
            return (LabeledSamples(features: tensor, targets: .classes(targets.map { Int32($0) })), .classification(classes: classes))
        }
    }

    /// Reads `features` and `targets` datasets from an HDF5 file.
    public static func hdf5(path: String, features: String, targets: String, task: CSVLoader.TaskKind) throws -> (LabeledSamples, Task) {
        let root: HDF5Group
        do { root = try HDF5File.open(path).root() } catch let error as HDF5Error {
            throw DataError(file: path, "cannot open as HDF5: \(error.message)")
        }
        func doubles(_ name: String) throws -> ([Double], [Int]) {
            guard root.contains(name) else { throw DataError(file: path, "no dataset '\(name)' in the file") }
            do {
                let array = try root.read(name)
                switch array.storage {
                case .float32(let v): return (v.map(Double.init), array.shape)
                case .float64(let v): return (v, array.shape)
                case .int32(let v): return (v.map(Double.init), array.shape)
                case .int64(let v): return (v.map(Double.init), array.shape)
                case .uint8(let v): return (v.map(Double.init), array.shape)
                }
            } catch let error as HDF5Error {
                throw DataError(file: path, "cannot read dataset '\(name)': \(error.message)")
            }
        }
        let (x, shape) = try doubles(features)
        let (y, _) = try doubles(targets)
        return try samples(features: x, featureShape: shape, targets: y, task: task,
                           featuresFile: "\(path):\(features)", targetsFile: "\(path):\(targets)")
    }
}
