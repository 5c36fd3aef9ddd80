import HDF5
import TestSupport
import Testing

/// Row slices (hyperslabs) read exactly the rows a whole read holds, for
/// contiguous and chunked, filtered layouts, and streamed writes of row
/// blocks store exactly what one whole write does.
@Suite struct HDF5RowSliceTests {
    static let rows = 1_000, width = 37
    static let values = (0..<(rows * width)).map { Float($0 % 9_973) * 0.125 - 17 }

    static func layouts() -> [(String, HDF5DatasetOptions)] {
        [("contiguous", .contiguous), ("chunked", HDF5DatasetOptions(chunkShape: [64, width])),
         ("compressed", HDF5DatasetOptions(chunkShape: [100, width], deflateLevel: 1, shuffle: true))]
    }

    @Test(arguments: [0..<1, 0..<1_000, 63..<65, 99..<301, 999..<1_000, 500..<500])
    func aSliceEqualsTheSameRowsOfAWholeRead(range: Range<Int>) throws {
        let dir = try TemporaryDirectory()
        let file = try HDF5File.create(at: dir.file("slices.h5"))
        let root = try file.root()
        for (name, options) in Self.layouts() {
            try root.write(Self.values, shape: [Self.rows, Self.width], at: name, options: options)
            let whole = try root.read(name, as: Float.self).values
            let slice = try root.readRows(name, range)
            #expect(slice.shape == [range.count, Self.width], "\(name)")
            #expect(slice.values(as: Float.self) == Array(whole[(range.lowerBound * Self.width)..<(range.upperBound * Self.width)]), "\(name)")
        }
        #expect(try root.chunking("contiguous") == nil)
        #expect(try root.chunking("chunked")?.rows == 64 && root.chunking("chunked")?.filtered == false)
        #expect(try root.chunking("compressed")?.rows == 100 && root.chunking("compressed")?.filtered == true)
    }

    @Test func gatheringByBlocksOrRunsEqualsAWholeReadGathered() throws {
        let dir = try TemporaryDirectory()
        let file = try HDF5File.create(at: dir.file("gather.h5"))
        let root = try file.root()
        try root.write(Self.values, shape: [Self.rows, Self.width], at: "x",
                       options: HDF5DatasetOptions(chunkShape: [100, Self.width], deflateLevel: 1, shuffle: true))
        let whole = try root.read("x", as: Float.self).values
        var random = SplitMix(seed: 7)
        let picks: [[Int]] = [[], [0], [999, 0, 500], Array(0..<1_000), Array((0..<1_000).reversed()), [5, 5, 5, 6],
                              (0..<300).map { _ in Int(random.next() % 1_000) }]
        for indices in picks {
            let expected = indices.flatMap { whole[($0 * Self.width)..<(($0 + 1) * Self.width)] }
            for blockRows in [nil, 1, 100, 256, 5_000] {
                let spans = HDF5Array.spans(for: indices, rowCount: Self.rows, blockRows: blockRows)
                let gathered = try HDF5Array.gatherRows(indices, elementType: .float32, rowShape: [Self.width], spans: spans) {
                    try root.readRows("x", $0)
                }
                #expect(gathered.shape == [indices.count, Self.width])
                #expect(gathered.values(as: Float.self) == expected, "blocks \(String(describing: blockRows)), \(indices.count) rows")
            }
        }
    }

    @Test func rowsWrittenBlockByBlockEqualOneWholeWrite() throws {
        let dir = try TemporaryDirectory()
        let file = try HDF5File.create(at: dir.file("streamed.h5"))
        let root = try file.root()
        try root.createDataset("s", elementType: .float32, shape: [Self.rows, Self.width], options: HDF5DatasetOptions(chunkShape: [128, Self.width]))
        var start = 0
        while start < Self.rows {
            let end = min(Self.rows, start + 333)
            try root.writeRows(HDF5Array(Array(Self.values[(start * Self.width)..<(end * Self.width)]), shape: [end - start, Self.width]),
                               at: "s", start: start)
            start = end
        }
        #expect(try root.read("s", as: Float.self).values == Self.values)
        #expect(throws: HDF5Error.self) { try root.writeRows(HDF5Array([Float(1)], shape: [1, 1]), at: "s", start: 0) }
        #expect(throws: HDF5Error.self) { try root.readRows("s", 990..<1_001) }
    }
}
