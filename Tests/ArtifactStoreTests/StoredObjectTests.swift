import ArtifactStore
import Foundation
import HDF5
import TestSupport
import Testing

/// An object opened lazily hands out exactly the rows a whole read holds,
/// whether its rows come through cached blocks or straight from the file,
/// and an object written block by block (streamed) is the object the same
/// arrays written whole would be.
@Suite struct StoredObjectTests {
    /// A load-like object: a pool of 6,000 × 784 floats (18 MiB, chunked and compressed in the file).
    static let rows = 6_000, width = 784
    static func features() -> HDF5Array {
        HDF5Array((0..<(rows * width)).map { Float(($0 &* 2_654_435_761) % 65_521) / 4_096 }, shape: [rows, width])
    }

    @Test(arguments: [256 << 20, 1 << 20])
    func rowsEqualAWholeReadGathered(cacheBudget: Int) throws {
        let dir = try TemporaryDirectory()
        let store = try ArtifactStore(root: dir.path, alflowVersion: "test", cache: ObjectCache(budget: cacheBudget))
        let features = Self.features()
        let content = ArtifactContent(arrays: ["train/features": features, "train/targets": HDF5Array((0..<Self.rows).map { Int32($0 % 10) })],
                                      attributes: ["classes": .integer(10)])
        try store.publish(header(key(900)), content)
        let fresh = try ArtifactStore(root: dir.path, alflowVersion: "test", cache: ObjectCache(budget: cacheBudget))
        guard case .hit(let object) = try fresh.open(key(900)) else { Issue.record("not a hit"); return }
        #expect(object.shape("train/features") == [Self.rows, Self.width])
        #expect(object.attributes["classes"] == .integer(10))
        let whole = try #require(features.values(as: Float.self))
        var order = Array(0..<Self.rows)
        var generator = SplitMix(seed: 3)
        order.shuffle(using: &generator)
        for indices in [[], [0], [5_999, 0, 1_337], Array(order.prefix(200)), Array(1_000..<5_000), order, [42, 42, 41]] {
            let rows = try #require(try object.rows("train/features", indices))
            #expect(rows.shape == [indices.count, Self.width])
            #expect(rows.values(as: Float.self) == indices.flatMap { whole[($0 * Self.width)..<(($0 + 1) * Self.width)] })
        }
        #expect(try object.array("train/features") == features)
        #expect(try object.content() == content)
        #expect(throws: StoreError.self) { try object.rows("train/features", [Self.rows]) }
        // The whole object read the old way is the same.
        guard case .hit(let artifact) = try fresh.read(key(900)) else { Issue.record("not a hit"); return }
        #expect(artifact.content == content)
    }

    /// Objects a stage publishes enter the cache cold: a long run's stream of
    /// new small objects must not push out the row blocks every stage reads.
    /// The data set's file is removed after its rows were read once, so a
    /// second read can only come from the cache.
    @Test func publishedObjectsLeaveBeforeRowsThatWereRead() throws {
        let dir = try TemporaryDirectory()
        let writer = try ArtifactStore(root: dir.path, alflowVersion: "test")
        let features = Self.features()
        try writer.publish(header(key(902)), ArtifactContent(arrays: ["train/features": features]))
        let cache = ObjectCache(budget: 32 << 20)
        let store = try ArtifactStore(root: dir.path, alflowVersion: "test", cache: cache)
        guard case .hit(let object) = try store.open(key(902)) else { Issue.record("not a hit"); return }
        let all = Array(0..<Self.rows)
        #expect(try object.rows("train/features", all) == features)
        try FileManager.default.removeItem(atPath: store.layout.object(key(902)))
        // 24 MiB of new objects through a 32 MiB cache that holds the 18 MiB of rows.
        for n in 0..<12 {
            let content = ArtifactContent(arrays: ["scores": HDF5Array([Float](repeating: Float(n), count: 1 << 19))])
            try store.publish(header(key(910 + n)), content)
        }
        #expect(cache.bytesHeld <= 32 << 20)
        #expect(try object.rows("train/features", all) == features)
    }

    @Test func aStreamedObjectIsTheObjectOfItsArraysWrittenWhole() throws {
        let dir = try TemporaryDirectory()
        let store = try ArtifactStore(root: dir.path, alflowVersion: "test")
        let features = Self.features()
        let values = try #require(features.values(as: Float.self))
        var streamed = ArtifactContent(arrays: ["labels": HDF5Array([Int32(1), 2, 3])], attributes: ["note": .string("s")])
        streamed.streamed["features"] = StreamedArray(elementType: .float32, shape: [Self.rows, Self.width], blockRows: 777) { range in
            HDF5Array(Array(values[(range.lowerBound * Self.width)..<(range.upperBound * Self.width)]), shape: [range.count, Self.width])
        }
        let whole = ArtifactContent(arrays: ["labels": HDF5Array([Int32(1), 2, 3]), "features": features], attributes: ["note": .string("s")])
        let published = try store.publish(header(key(901)), streamed)
        #expect(published.header.payloadDigest == whole.payloadDigest)
        let fresh = try ArtifactStore(root: dir.path, alflowVersion: "test")
        guard case .hit(let artifact) = try fresh.read(key(901)) else { Issue.record("not a hit"); return }
        #expect(artifact.content == whole)
        #expect(fresh.verifyAll().problems.isEmpty)
    }
}
