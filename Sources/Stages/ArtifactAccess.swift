import ArtifactStore
import HDF5
import Tensors

/// Typed access to the arrays of stage objects, with clear errors. Arrays
/// are read from the store when asked (`rows` reads only the rows named).
struct Input {
    /// Where the arrays come from: an object in the store, or content in
    /// memory (a training checkpoint).
    enum Source {
        case stored(StoredObject)
        case content(ArtifactContent)
    }

    let id: String
    let source: Source

    init(id: String, object: StoredObject) {
        self.id = id
        source = .stored(object)
    }

    init(id: String, content: ArtifactContent) {
        self.id = id
        source = .content(content)
    }

    /// The key of the stored object it reads (nil for content in memory).
    var storedKey: String? {
        if case .stored(let object) = source { return object.key }
        return nil
    }

    var attributes: [String: HDF5AttributeValue] {
        switch source {
        case .stored(let object): return object.attributes
        case .content(let content): return content.attributes
        }
    }

    func shape(_ path: String) -> [Int]? {
        switch source {
        case .stored(let object): return object.shape(path)
        case .content(let content): return content.arrays[path]?.shape
        }
    }

    func array(_ path: String) throws -> HDF5Array? {
        do {
            switch source {
            case .stored(let object): return try object.array(path)
            case .content(let content): return content.arrays[path]
            }
        } catch let error as StoreError {
            throw StageError.malformedInput(stage: id, what: error.description)
        }
    }

    /// Rows `rows` of a float array `[N, …]` as `[rows.count, …]`.
    func floatRows(_ path: String, _ rows: [Int]) throws -> Tensor {
        let array: HDF5Array?
        do {
            switch source {
            case .stored(let object): array = try object.rows(path, rows)
            case .content(let content): array = try content.arrays[path].map { try $0.gatherRows(rows) }
            }
        } catch let error as StoreError {
            throw StageError.malformedInput(stage: id, what: error.description)
        }
        guard let array, let values = array.values(as: Float.self) else {
            throw StageError.malformedInput(stage: id, what: "no float array '\(path)'")
        }
        return Tensor(shape: array.shape, scalars: values)
    }

    func floats(_ path: String) throws -> Tensor {
        guard let array = try array(path), let values = array.values(as: Float.self) else {
            throw StageError.malformedInput(stage: id, what: "no float array '\(path)'")
        }
        return Tensor(shape: array.shape.isEmpty ? [1] : array.shape, scalars: values)
    }

    func doubles(_ path: String) throws -> [Double] {
        guard let values = try array(path)?.values(as: Double.self) else {
            throw StageError.malformedInput(stage: id, what: "no float64 array '\(path)'")
        }
        return values
    }

    func indices(_ path: String) throws -> [Int] {
        guard let values = try array(path)?.values(as: Int64.self) else {
            throw StageError.malformedInput(stage: id, what: "no index array '\(path)'")
        }
        return values.map { Int($0) }
    }

    func labels(_ path: String) throws -> [Int32] {
        guard let values = try array(path)?.values(as: Int32.self) else {
            throw StageError.malformedInput(stage: id, what: "no label array '\(path)'")
        }
        return values
    }

    func has(_ path: String) -> Bool { shape(path) != nil }

    func integer(_ name: String) throws -> Int {
        guard let value = attributes[name]?.integerValue else {
            throw StageError.malformedInput(stage: id, what: "no integer attribute '\(name)'")
        }
        return Int(value)
    }

    func double(_ name: String) throws -> Double {
        guard let value = attributes[name]?.doubleValue else {
            throw StageError.malformedInput(stage: id, what: "no number attribute '\(name)'")
        }
        return value
    }

    func text(_ name: String) throws -> String {
        guard let value = attributes[name]?.stringValue else {
            throw StageError.malformedInput(stage: id, what: "no text attribute '\(name)'")
        }
        return value
    }
}

extension HDF5Array {
    /// Rows `rows` of an in-memory `[N, …]` array.
    func gatherRows(_ rows: [Int]) throws -> HDF5Array {
        guard let count = shape.first else { throw StageError.malformedInput(stage: "checkpoint", what: "a scalar has no rows") }
        return try HDF5Array.gatherRows(rows, elementType: elementType, rowShape: Array(shape.dropFirst()),
                                        spans: count == 0 ? [] : [0..<count]) { _ in self }
    }

    init(_ tensor: Tensor) { self.init(tensor.scalars, shape: tensor.shape) }

    static func indices(_ values: [Int]) -> HDF5Array { HDF5Array(values.map(Int64.init)) }
}
