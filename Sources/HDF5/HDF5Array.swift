import CHDF5

/// The element types alflow stores. Files always use little-endian standard
/// types, so an object reads identically on any machine and in h5py.
public enum HDF5ElementType: String, Sendable, CaseIterable {
    case float32, float64, int32, int64, uint8

    var memoryType: hid_t {
        switch self {
        case .float32: return alflow_H5T_NATIVE_FLOAT()
        case .float64: return alflow_H5T_NATIVE_DOUBLE()
        case .int32: return alflow_H5T_NATIVE_INT32()
        case .int64: return alflow_H5T_NATIVE_INT64()
        case .uint8: return alflow_H5T_NATIVE_UINT8()
        }
    }

    var fileType: hid_t {
        switch self {
        case .float32: return alflow_H5T_IEEE_F32LE()
        case .float64: return alflow_H5T_IEEE_F64LE()
        case .int32: return alflow_H5T_STD_I32LE()
        case .int64: return alflow_H5T_STD_I64LE()
        case .uint8: return alflow_H5T_STD_U8LE()
        }
    }

    public var byteWidth: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .uint8: return 1
        }
    }
}

/// A Swift scalar type that maps to an HDF5 element type.
public protocol HDF5Element: Sendable, Equatable {
    static var elementType: HDF5ElementType { get }
    static func wrap(_ values: [Self]) -> HDF5Array.Storage
    static func unwrap(_ storage: HDF5Array.Storage) -> [Self]?
}

extension Float: HDF5Element {
    public static var elementType: HDF5ElementType { .float32 }
    public static func wrap(_ values: [Float]) -> HDF5Array.Storage { .float32(values) }
    public static func unwrap(_ storage: HDF5Array.Storage) -> [Float]? {
        if case .float32(let v) = storage { return v } else { return nil }
    }
}

extension Double: HDF5Element {
    public static var elementType: HDF5ElementType { .float64 }
    public static func wrap(_ values: [Double]) -> HDF5Array.Storage { .float64(values) }
    public static func unwrap(_ storage: HDF5Array.Storage) -> [Double]? {
        if case .float64(let v) = storage { return v } else { return nil }
    }
}

extension Int32: HDF5Element {
    public static var elementType: HDF5ElementType { .int32 }
    public static func wrap(_ values: [Int32]) -> HDF5Array.Storage { .int32(values) }
    public static func unwrap(_ storage: HDF5Array.Storage) -> [Int32]? {
        if case .int32(let v) = storage { return v } else { return nil }
    }
}

extension Int64: HDF5Element {
    public static var elementType: HDF5ElementType { .int64 }
    public static func wrap(_ values: [Int64]) -> HDF5Array.Storage { .int64(values) }
    public static func unwrap(_ storage: HDF5Array.Storage) -> [Int64]? {
        if case .int64(let v) = storage { return v } else { return nil }
    }
}

extension UInt8: HDF5Element {
    public static var elementType: HDF5ElementType { .uint8 }
    public static func wrap(_ values: [UInt8]) -> HDF5Array.Storage { .uint8(values) }
    public static func unwrap(_ storage: HDF5Array.Storage) -> [UInt8]? {
        if case .uint8(let v) = storage { return v } else { return nil }
    }
}

/// An N-dimensional array as stored in (or read from) an HDF5 dataset:
/// row-major values of one element type and a shape. Rank 0 is a scalar.
public struct HDF5Array: Equatable, Sendable {
    public enum Storage: Equatable, Sendable {
        case float32([Float]), float64([Double]), int32([Int32]), int64([Int64]), uint8([UInt8])
    }

    public let storage: Storage
    public let shape: [Int]

    public init<T: HDF5Element>(_ values: [T], shape: [Int]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not match \(values.count) values")
        self.storage = T.wrap(values)
        self.shape = shape
    }

    public init<T: HDF5Element>(_ values: [T]) {
        self.init(values, shape: [values.count])
    }

    init(storage: Storage, shape: [Int]) {
        self.storage = storage
        self.shape = shape
    }

    public var elementType: HDF5ElementType {
        switch storage {
        case .float32: return .float32
        case .float64: return .float64
        case .int32: return .int32
        case .int64: return .int64
        case .uint8: return .uint8
        }
    }

    public var count: Int { shape.reduce(1, *) }

    /// The values if they are of type `T`, else nil.
    public func values<T: HDF5Element>(as type: T.Type = T.self) -> [T]? { T.unwrap(storage) }

    /// Calls `body` with the raw little-endian bytes of the values.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .float32(let v): return try v.withUnsafeBytes(body)
        case .float64(let v): return try v.withUnsafeBytes(body)
        case .int32(let v): return try v.withUnsafeBytes(body)
        case .int64(let v): return try v.withUnsafeBytes(body)
        case .uint8(let v): return try v.withUnsafeBytes(body)
        }
    }

    static func allocate(_ type: HDF5ElementType, count: Int) -> Storage {
        switch type {
        case .float32: return .float32([Float](repeating: 0, count: count))
        case .float64: return .float64([Double](repeating: 0, count: count))
        case .int32: return .int32([Int32](repeating: 0, count: count))
        case .int64: return .int64([Int64](repeating: 0, count: count))
        case .uint8: return .uint8([UInt8](repeating: 0, count: count))
        }
    }
}

extension HDF5Array.Storage {
    /// Lets `body` write the values' bytes in place (the case's own array,
    /// uniquely referenced while it runs, so nothing is copied).
    mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .float32(var v): self = .uint8([]); defer { self = .float32(v) }; return try v.withUnsafeMutableBytes(body)
        case .float64(var v): self = .uint8([]); defer { self = .float64(v) }; return try v.withUnsafeMutableBytes(body)
        case .int32(var v): self = .uint8([]); defer { self = .int32(v) }; return try v.withUnsafeMutableBytes(body)
        case .int64(var v): self = .uint8([]); defer { self = .int64(v) }; return try v.withUnsafeMutableBytes(body)
        case .uint8(var v): self = .uint8([]); defer { self = .uint8(v) }; return try v.withUnsafeMutableBytes(body)
        }
    }
}
