import Fingerprints
import HDF5

/// What a stage stores: arrays under `/data/<path>` and small metadata
/// attributes on `/data`. Both are covered by the payload digest.
public struct ArtifactContent: Sendable, Equatable {
    public var arrays: [String: HDF5Array]
    public var attributes: [String: HDF5AttributeValue]
    /// Arrays too large to hold, produced block by block as the object is
    /// written (their values enter the digest as they are written).
    public var streamed: [String: StreamedArray] = [:]

    public init(arrays: [String: HDF5Array] = [:], attributes: [String: HDF5AttributeValue] = [:]) {
        self.arrays = arrays
        self.attributes = attributes
    }

    /// SHA-256 over every array (sorted by path: the path, element type,
    /// shape, then the raw little-endian bytes) and every attribute (sorted
    /// by name), each framed by the canonical encoding.
    public var payloadDigest: String {
        var digest = PayloadDigester()
        for path in arrays.keys.sorted() {
            guard let array = arrays[path] else { continue }
            digest.beginArray(path, elementType: array.elementType, shape: array.shape)
            digest.update(array)
        }
        return digest.finish(attributes: attributes)
    }

    /// Equal arrays and attributes, and streamed arrays of the same names and shapes.
    public static func == (lhs: ArtifactContent, rhs: ArtifactContent) -> Bool {
        lhs.arrays == rhs.arrays && lhs.attributes == rhs.attributes
            && lhs.streamed.mapValues { [$0.elementType.rawValue] + $0.shape.map(String.init) }
                == rhs.streamed.mapValues { [$0.elementType.rawValue] + $0.shape.map(String.init) }
    }

    static func canonical(_ value: HDF5AttributeValue) -> CanonicalValue {
        switch value {
        case .string(let s): return .string(s)
        case .strings(let list): return .list(list.map(CanonicalValue.string))
        case .integer(let i): return .integer(i)
        case .double(let d): return .double(d)
        }
    }
}

/// An array of `shape` whose rows `block(range)` produces on demand, at
/// most `blockRows` at a time, in order, exactly once each.
public struct StreamedArray: Sendable {
    public let elementType: HDF5ElementType
    public let shape: [Int]
    public let blockRows: Int
    public let block: @Sendable (Range<Int>) throws -> HDF5Array

    public init(elementType: HDF5ElementType, shape: [Int], blockRows: Int, block: @escaping @Sendable (Range<Int>) throws -> HDF5Array) {
        self.elementType = elementType
        self.shape = shape
        self.blockRows = max(1, blockRows)
        self.block = block
    }
}

/// The payload digest computed incrementally, for arrays read or written
/// block by block: `beginArray` then every block of its values in row
/// order, arrays in path order, then `finish` with the attributes. Equal
/// to `ArtifactContent.payloadDigest` of the same arrays.
public struct PayloadDigester {
    private var digest = StreamingDigest()

    public init() {}

    public mutating func beginArray(_ path: String, elementType: HDF5ElementType, shape: [Int]) {
        digest.update(.list([.string(path), .string(elementType.rawValue), .list(shape.map(CanonicalValue.int)),
                             .integer(Int64(shape.reduce(1, *) * elementType.byteWidth))]))
    }

    public mutating func update(_ block: HDF5Array) {
        block.withUnsafeBytes { digest.update($0) }
    }

    public func finish(attributes: [String: HDF5AttributeValue]) -> String {
        var digest = digest
        for name in attributes.keys.sorted() {
            guard let value = attributes[name] else { continue }
            digest.update(.list([.string(name), ArtifactContent.canonical(value)]))
        }
        return digest.finalize()
    }
}

/// The root attributes every object carries (docs/architecture.md §5.2).
public struct ArtifactHeader: Sendable, Equatable {
    public var format: Int
    public var kind: String
    public var key: String
    /// Canonical JSON of the resolved parameters.
    public var parameters: String
    /// Keys of the input objects, in declared order.
    public var inputs: [String]
    public var payloadDigest: String
    public var alflowVersion: String
    /// ISO-8601 UTC.
    public var created: String
    /// OpenBLAS kernel family and build (results are bit-exact per machine type).
    public var blasCore: String
    public var blasConfiguration: String
    /// Wall-clock seconds the stage's computation took.
    public var computeSeconds: Double

    public init(format: Int = StoreLayout.objectFormat, kind: String, key: String, parameters: String, inputs: [String],
                payloadDigest: String = "", alflowVersion: String, created: String, blasCore: String,
                blasConfiguration: String, computeSeconds: Double) {
        self.format = format
        self.kind = kind
        self.key = key
        self.parameters = parameters
        self.inputs = inputs
        self.payloadDigest = payloadDigest
        self.alflowVersion = alflowVersion
        self.created = created
        self.blasCore = blasCore
        self.blasConfiguration = blasConfiguration
        self.computeSeconds = computeSeconds
    }
}

/// A verified object: its header and content.
public struct Artifact: Sendable {
    public var header: ArtifactHeader
    public var content: ArtifactContent

    public init(header: ArtifactHeader, content: ArtifactContent) {
        self.header = header
        self.content = content
    }

    public var key: String { header.key }

    /// The array at `path`, converted to `T`, or nil.
    public func values<T: HDF5Element>(_ path: String, as type: T.Type = T.self) -> [T]? {
        content.arrays[path]?.values(as: T.self)
    }

    public func shape(_ path: String) -> [Int]? { content.arrays[path]?.shape }
}
