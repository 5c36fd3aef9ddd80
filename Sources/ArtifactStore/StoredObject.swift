import Foundation
import HDF5

/// An object in the store, opened without reading its arrays: its header,
/// attributes and array shapes are known, and arrays — whole, or just some
/// rows — are read from the file when asked, through the process-wide
/// `ObjectCache`. A large array (over three quarters of the cache budget)
/// is never cached: its rows are read straight from the file (one run of
/// consecutive rows at a time, or each compressed chunk once), so a reader
/// of a million-row pool holds only the rows it asked for.
public final class StoredObject: Sendable {
    public let header: ArtifactHeader
    public let attributes: [String: HDF5AttributeValue]
    /// Element type and shape of every array, by path under `/data`.
    public let arrays: [String: HDF5DatasetInfo]
    let path: String
    private let chunkRows: [String: Int]
    /// Arrays stored compressed (a row costs its whole chunk).
    private let filtered: Set<String>
    private let cache: ObjectCache
    /// The prefix of this object's entries in the cache.
    private let cacheKey: String

    public var key: String { header.key }

    /// Bytes of the rows of a block a cached array is read and kept in (aligned to the file's chunks).
    static let blockBytes = 4 << 20

    private init(header: ArtifactHeader, attributes: [String: HDF5AttributeValue], arrays: [String: HDF5DatasetInfo],
                 chunkRows: [String: Int], filtered: Set<String>, path: String, cache: ObjectCache, cacheKey: String) {
        self.cacheKey = cacheKey
        self.filtered = filtered
        self.header = header
        self.attributes = attributes
        self.arrays = arrays
        self.chunkRows = chunkRows
        self.path = path
        self.cache = cache
    }

    /// Opens the object file at `path`; with `verify`, every array is read
    /// block by block through the payload digest (nothing is kept). Any
    /// damage throws `ArtifactFile.Problem`.
    static func open(_ path: String, expectedKey: String?, verify: Bool, cache: ObjectCache, cacheKey: String) throws -> StoredObject {
        let root: HDF5Group
        do { root = try HDF5File.open(path).root() } catch let error as HDF5Error {
            throw ArtifactFile.Problem.damaged("cannot open as HDF5 (\(error.message.isEmpty ? error.operation : error.message))")
        }
        do {
            let header = try ArtifactFile.readHeader(root)
            if let expectedKey, header.key != expectedKey {
                throw ArtifactFile.Problem.damaged("holds key \(header.key.prefix(12))…, not the key of its file name")
            }
            var attributes: [String: HDF5AttributeValue] = [:]
            var arrays: [String: HDF5DatasetInfo] = [:]
            var chunkRows: [String: Int] = [:]
            var filtered: Set<String> = []
            if root.contains("data") {
                let data = try root.group("data")
                for name in try data.datasetPaths() {
                    arrays[name] = try data.datasetInfo(name)
                    if let chunking = try data.chunking(name) {
                        chunkRows[name] = chunking.rows
                        if chunking.filtered { filtered.insert(name) }
                    }
                }
                for name in try data.attributeNames() { attributes[name] = try data.attribute(name) }
            }
            let object = StoredObject(header: header, attributes: attributes, arrays: arrays, chunkRows: chunkRows, filtered: filtered, path: path, cache: cache,
                                      cacheKey: cacheKey)
            if verify {
                let data = arrays.isEmpty ? nil : try root.group("data")
                var digest = PayloadDigester()
                for name in arrays.keys.sorted() {
                    guard let info = arrays[name], let data else { continue }
                    digest.beginArray(name, elementType: info.elementType, shape: info.shape)
                    if info.shape.isEmpty || info.shape.reduce(1, *) * info.elementType.byteWidth <= blockBytes {
                        digest.update(try data.read(name))
                        continue
                    }
                    let rows = object.blockRows(name, info)
                    var start = 0
                    while start < info.shape[0] {
                        let end = min(info.shape[0], start + rows)
                        digest.update(try data.readRows(name, start..<end))
                        start = end
                    }
                }
                guard digest.finish(attributes: attributes) == header.payloadDigest else {
                    throw ArtifactFile.Problem.damaged("payload digest mismatch (the data was changed or never fully written)")
                }
            }
            return object
        } catch let error as HDF5Error {
            throw ArtifactFile.Problem.damaged("unreadable (\(error.message.isEmpty ? error.operation : error.message))")
        }
    }

    public func shape(_ name: String) -> [Int]? { arrays[name]?.shape }

    /// The whole array at `name`, or nil if there is none. Small arrays are
    /// cached whole, middling ones by blocks; one too large to cache is read
    /// straight into a single buffer.
    public func array(_ name: String) throws -> HDF5Array? {
        guard let info = arrays[name] else { return nil }
        let total = bytes(info)
        if info.shape.isEmpty || total <= Self.blockBytes {
            let arrayKey = cacheKey + "/" + name
            if case .array(let cached)? = cache.get(arrayKey) { return cached }
            let array = try reading { try $0.read(name) }
            cache.put(arrayKey, .array(array), bytes: ObjectCache.bytes(array))
            return array
        }
        if !cacheable(total) { return try reading { try $0.read(name) } }
        return try rows(name, 0..<info.shape[0])
    }

    /// Rows `range` of the array at `name` (its first dimension).
    public func rows(_ name: String, _ range: Range<Int>) throws -> HDF5Array? {
        try rows(name, Array(range))
    }

    /// Rows `indices` of the array at `name`, in that order; nil if there is
    /// no such array. An index outside the array throws.
    public func rows(_ name: String, _ indices: [Int]) throws -> HDF5Array? {
        guard let info = arrays[name] else { return nil }
        guard let count = info.shape.first else { throw readError("'\(name)' is a scalar, not rows") }
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) { throw readError("row \(bad) of '\(name)' is outside its \(count) rows") }
        let rowShape = Array(info.shape.dropFirst())
        if cacheable(bytes(info)) {
            let size = blockRows(name, info)
            return try HDF5Array.gatherRows(indices, elementType: info.elementType, rowShape: rowShape,
                                            spans: HDF5Array.spans(for: indices, rowCount: count, blockRows: size)) { span in
                let blockKey = cacheKey + "/" + name + "#" + String(span.lowerBound / size)
                if case .array(let cached)? = cache.get(blockKey) { return cached }
                let block = try reading { try $0.readRows(name, span) }
                cache.put(blockKey, .array(block), bytes: ObjectCache.bytes(block))
                return block
            }
        }
        // Not cached: compressed chunks are read whole, each once; otherwise runs of consecutive rows.
        let spans = HDF5Array.spans(for: indices, rowCount: count, blockRows: filtered.contains(name) ? chunkRows[name] : nil)
        return try reading { data in
            try HDF5Array.gatherRows(indices, elementType: info.elementType, rowShape: rowShape, spans: spans) { try data.readRows(name, $0) }
        }
    }

    /// Every array and attribute in memory (for small objects and tools).
    public func content() throws -> ArtifactContent {
        var content = ArtifactContent(attributes: attributes)
        for name in arrays.keys { content.arrays[name] = try array(name) }
        return content
    }

    /// Arrays up to three quarters of the cache budget are cached (in blocks).
    private func cacheable(_ bytes: Int) -> Bool { bytes <= cache.budget / 4 * 3 }

    private func bytes(_ info: HDF5DatasetInfo) -> Int { info.shape.reduce(1, *) * info.elementType.byteWidth }

    /// Rows per block: about `blockBytes`, a whole number of the file's chunks.
    func blockRows(_ name: String, _ info: HDF5DatasetInfo) -> Int {
        let rowBytes = max(1, info.shape.dropFirst().reduce(1, *) * info.elementType.byteWidth)
        let chunk = max(1, chunkRows[name] ?? 1)
        return max(chunk, Self.blockBytes / rowBytes / chunk * chunk)
    }

    private func reading<R>(_ body: (HDF5Group) throws -> R) throws -> R {
        do {
            return try body(try HDF5File.open(path).root().group("data"))
        } catch let error as HDF5Error {
            throw StoreError.readFailed(path: path, reason: error.message.isEmpty ? error.operation : error.message)
        }
    }

    private func readError(_ reason: String) -> StoreError { .readFailed(path: path, reason: reason) }
}
