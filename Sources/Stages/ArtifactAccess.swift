import ArtifactStore
import HDF5
import Tensors

/// Typed access to the arrays of stage objects, with clear errors.
struct Input {
    let id: String
    let artifact: Artifact

    func floats(_ path: String) throws -> Tensor {
        guard let array = artifact.content.arrays[path], let values = array.values(as: Float.self) else {
            throw StageError.malformedInput(stage: id, what: "no float array '\(path)'")
        }
        return Tensor(shape: array.shape.isEmpty ? [1] : array.shape, scalars: values)
    }

    func doubles(_ path: String) throws -> [Double] {
        guard let values = artifact.content.arrays[path]?.values(as: Double.self) else {
            throw StageError.malformedInput(stage: id, what: "no float64 array '\(path)'")
        }
        return values
    }

    func indices(_ path: String) throws -> [Int] {
        guard let values = artifact.content.arrays[path]?.values(as: Int64.self) else {
            throw StageError.malformedInput(stage: id, what: "no index array '\(path)'")
        }
        return values.map { Int($0) }
    }

    func labels(_ path: String) throws -> [Int32] {
        guard let values = artifact.content.arrays[path]?.values(as: Int32.self) else {
            throw StageError.malformedInput(stage: id, what: "no label array '\(path)'")
        }
        return values
    }

    func has(_ path: String) -> Bool { artifact.content.arrays[path] != nil }

    func integer(_ name: String) throws -> Int {
        guard let value = artifact.content.attributes[name]?.integerValue else {
            throw StageError.malformedInput(stage: id, what: "no integer attribute '\(name)'")
        }
        return Int(value)
    }

    func double(_ name: String) throws -> Double {
        guard let value = artifact.content.attributes[name]?.doubleValue else {
            throw StageError.malformedInput(stage: id, what: "no number attribute '\(name)'")
        }
        return value
    }

    func text(_ name: String) throws -> String {
        guard let value = artifact.content.attributes[name]?.stringValue else {
            throw StageError.malformedInput(stage: id, what: "no text attribute '\(name)'")
        }
        return value
    }
}

extension HDF5Array {
    init(_ tensor: Tensor) { self.init(tensor.scalars, shape: tensor.shape) }

    static func indices(_ values: [Int]) -> HDF5Array { HDF5Array(values.map(Int64.init)) }
}
