import Tensors

/// An ordered, named collection of tensors: the parameters of a network, its
/// gradients, or an optimiser's moments. Names are flattened paths such as
/// `fc1.weight`, which map one-to-one onto HDF5 dataset paths.
public struct ParameterSet: Equatable, Sendable {
    public private(set) var names: [String]
    public var tensors: [Tensor]

    public init(names: [String] = [], tensors: [Tensor] = []) {
        precondition(names.count == tensors.count, "names and tensors differ in count")
        precondition(Set(names).count == names.count, "duplicate parameter names")
        self.names = names
        self.tensors = tensors
    }

    public var count: Int { names.count }

    /// Total number of scalars.
    public var scalarCount: Int { tensors.reduce(0) { $0 + $1.count } }

    public subscript(name: String) -> Tensor? {
        guard let index = names.firstIndex(of: name) else { return nil }
        return tensors[index]
    }

    public mutating func append(_ name: String, _ tensor: Tensor) {
        precondition(!names.contains(name), "duplicate parameter name \(name)")
        names.append(name)
        tensors.append(tensor)
    }

    /// Zeros with the same names and shapes.
    public func zeros() -> ParameterSet {
        ParameterSet(names: names, tensors: tensors.map { Tensor(shape: $0.shape) })
    }

    /// True if `other` has the same names and shapes, in the same order.
    public func hasSameLayout(as other: ParameterSet) -> Bool {
        names == other.names && zip(tensors, other.tensors).allSatisfy { $0.shape == $1.shape }
    }
}
