import Fingerprints
import HDF5

/// What a stage stores: arrays under `/data/<path>` and small metadata
/// attributes on `/data`. Both are covered by the payload digest.
public struct ArtifactContent: Sendable, Equatable {
    public var arrays: [String: HDF5Array]
    public var attributes: [String: HDF5AttributeValue]

    public init(arrays: [String: HDF5Array] = [:], attributes: [String: HDF5AttributeValue] = [:]) {
        self.arrays = arrays
        self.attributes = attributes
    }

    /// SHA-256 over every array (sorted by path: the path, element type,
    /// shape, then the raw little-endian bytes) and every attribute (sorted
    /// by name), each framed by the canonical encoding.
    public var payloadDigest: String {
        var digest = StreamingDigest()
        for path in arrays.keys.sorted() {
            guard let array = arrays[path] else { continue }
            digest.update(.list([.string(path), .string(array.elementType.rawValue),
                                 .list(array.shape.map(CanonicalValue.int)), .integer(Int64(array.count * array.elementType.byteWidth))]))
            array.withUnsafeBytes { digest.update($0) }
        }
        for name in attributes.keys.sorted() {
            guard let value = attributes[name] else { continue }
            digest.update(.list([.string(name), Self.canonical(value)]))
        }
        return digest.finalize()
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
