import Datasets
import Foundation
import TestSupport
import Testing

@Suite struct IDXLoaderTests {
    static func idx(_ dimensions: [Int], _ values: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return bytes + values
    }

    static func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test(.enabled(if: TestData.available("mnist"), "needs MNIST (set ALFLOW_DATA_MIRROR, or network access)"))
    func readsRealMNIST() throws {
        let (test, classes) = try IDXLoader.samples(images: try TestData.path("mnist", "t10k-images-idx3-ubyte.gz"),
                                                    labels: try TestData.path("mnist", "t10k-labels-idx1-ubyte.gz"))
        #expect(test.features.shape == [10_000, 28, 28, 1])
        #expect(classes == 10)
        guard case .classes(let labels) = test.targets else { Issue.record("not classes"); return }
        #expect(Array(labels.prefix(5)) == [7, 2, 1, 0, 4])
        #expect(test.features.scalars.max() == 255)
    }

    @Test func rawAndGzipFilesReadTheSame() throws {
        let dir = try TemporaryDirectory()
        let values = (0..<24).map { UInt8($0 * 10) }
        try Self.write(Self.idx([2, 3, 4], values), dir.file("raw.idx"))
        let raw = try IDXLoader.read(dir.file("raw.idx"))
        #expect(raw.dimensions == [2, 3, 4] && raw.values == values)

        // The same file through the system's gzip (`-k` keeps raw.idx, writes raw.idx.gz): the reader must undo it.
        let gzip = try Subprocess.run("/usr/bin/gzip", ["-k", "-9", dir.file("raw.idx")])
        try #require(gzip.status == 0, "gzip failed: \(gzip.stderr)")
        let compressed = try Data(contentsOf: URL(fileURLWithPath: dir.file("raw.idx.gz")))
        #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B], "gzip did not write a gzip stream")
        let gz = try IDXLoader.read(dir.file("raw.idx.gz"))
        #expect(gz.dimensions == raw.dimensions)
        #expect(gz.values == raw.values)
    }

    @Test func malformedFilesGiveClearErrors() throws {
        let dir = try TemporaryDirectory()
        try Self.write(Self.idx([5, 2, 2], Array(repeating: 1, count: 12)), dir.file("short.idx"))
        let truncated = #expect(throws: DataError.self) { _ = try IDXLoader.read(dir.file("short.idx")) }
        #expect(truncated?.message.contains("truncated") == true)
        #expect(truncated?.file == dir.file("short.idx"))

        try Self.write([1, 2, 8, 1, 0, 0, 0, 1, 9], dir.file("magic.idx"))
        #expect(throws: DataError.self) { _ = try IDXLoader.read(dir.file("magic.idx")) }

        try Self.write(Self.idx([3, 2, 2], Array(repeating: 0, count: 12)), dir.file("images.idx"))
        try Self.write(Self.idx([4], [0, 1, 2, 3]), dir.file("labels.idx"))
        let mismatch = #expect(throws: DataError.self) {
            _ = try IDXLoader.samples(images: dir.file("images.idx"), labels: dir.file("labels.idx"))
        }
        #expect(mismatch?.message.contains("4 labels for 3 images") == true)
        #expect(throws: DataError.self) { _ = try IDXLoader.read(dir.file("absent.idx")) }

        // A gzip stream cut in half.
        try Self.write(Self.idx([4_000], (0..<4_000).map { UInt8($0 % 10) }), dir.file("labels.idx"))
        #expect(try Subprocess.run("/usr/bin/gzip", ["-k", "-9", dir.file("labels.idx")]).status == 0)
        let gz = try Data(contentsOf: URL(fileURLWithPath: dir.file("labels.idx.gz")))
        try gz.prefix(gz.count / 2).write(to: URL(fileURLWithPath: dir.file("cut.gz")))
        #expect(throws: DataError.self) { _ = try IDXLoader.read(dir.file("cut.gz")) }
    }
}
