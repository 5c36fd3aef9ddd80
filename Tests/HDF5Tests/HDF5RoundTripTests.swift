import Foundation
import HDF5
import TestSupport
import Testing

@Suite struct HDF5RoundTripTests {
    @Test func chunkedFloatDatasetAndAttributesRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("roundtrip.h5")
        let values = (0..<(37 * 11)).map { Float($0) * 0.25 - 3 }
        do {
            let file = try HDF5File.create(at: path)
            let root = try file.root()
            try root.write(values, shape: [37, 11], at: "data/matrix",
                           options: HDF5DatasetOptions(chunkShape: [8, 11], deflateLevel: 4, shuffle: true))
            try root.setAttribute("kind", .string("train — ünïcode"))
            try root.setAttribute("format", .integer(3))
            try root.setAttribute("noise", .double(0.001))
            try root.setAttribute("inputs", .strings(["ab", "cd"]))
            try file.close()
        }
        let file = try HDF5File.open(path)
        let root = try file.root()
        let (read, shape) = try root.read("data/matrix", as: Float.self)
        #expect(shape == [37, 11])
        #expect(read == values)
        #expect(try root.attribute("kind") == .string("train — ünïcode"))
        #expect(try root.attribute("format") == .integer(3))
        #expect(try root.attribute("noise") == .double(0.001))
        #expect(try root.attribute("inputs") == .strings(["ab", "cd"]))
        #expect(try root.attribute("missing") == nil)
        #expect(try root.datasetPaths() == ["data/matrix"])
        #expect(try root.attributeNames().sorted() == ["format", "inputs", "kind", "noise"])
    }

    @Test func everyElementTypeRoundTrips() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("types.h5")
        let arrays: [String: HDF5Array] = [
            "f32": HDF5Array([Float(1.5), -2, .infinity], shape: [3]),
            "f64": HDF5Array([Double.pi, -0.0, 1e-300, 4], shape: [2, 2]),
            "i32": HDF5Array([Int32.min, 0, Int32.max], shape: [3, 1]),
            "i64": HDF5Array([Int64.min, 7, Int64.max], shape: [3]),
            "u8": HDF5Array([UInt8(0), 128, 255, 1, 2, 3, 4, 5], shape: [2, 2, 2]),
            "empty": HDF5Array([Float](), shape: [0, 5]),
            "scalar": HDF5Array([Int64(42)], shape: []),
        ]
        do {
            let file = try HDF5File.create(at: path)
            let root = try file.root()
            for (name, array) in arrays { try root.write(array, at: name, options: .compressed) }
            try file.close()
        }
        let root = try HDF5File.open(path).root()
        for (name, array) in arrays {
            #expect(try root.read(name) == array, "dataset \(name)")
            #expect(try root.datasetInfo(name) == HDF5DatasetInfo(elementType: array.elementType, shape: array.shape))
        }
    }

    @Test func truncatedFileFailsWithSwiftError() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("whole.h5")
        do {
            let file = try HDF5File.create(at: path)
            try file.root().write((0..<4096).map(Float.init), shape: [64, 64], at: "x")
            try file.close()
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let truncated = dir.file("truncated.h5")
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: truncated))
        // Either the open or the read must fail, with a message, not a crash.
        let error = #expect(throws: HDF5Error.self) {
            let file = try HDF5File.open(truncated)
            _ = try file.root().read("x")
        }
        #expect(error?.path == truncated)
        #expect(!(error?.message.isEmpty ?? true))

        let garbage = dir.file("garbage.h5")
        try Data("not an HDF5 file".utf8).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: HDF5Error.self) { _ = try HDF5File.open(garbage) }
        #expect(throws: HDF5Error.self) { _ = try HDF5File.open(dir.file("absent.h5")) }
    }

    @Test func readingWrongTypeIsAnError() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("t.h5")
        let file = try HDF5File.create(at: path)
        try file.root().write([Int32(1), 2], shape: [2], at: "ints")
        #expect(throws: HDF5Error.self) { _ = try file.root().read("ints", as: Float.self) }
        #expect(throws: HDF5Error.self) { _ = try file.root().read("nothing") }
        #expect(!(try file.root().contains("a/b/c")))
        #expect(try file.root().contains("ints"))
    }
}
