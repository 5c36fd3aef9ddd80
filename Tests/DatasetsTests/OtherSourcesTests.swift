import Datasets
import Foundation
import HDF5
import TestSupport
import Testing

@Suite struct OtherSourcesTests {
    @Test func bundledDigitsEqualTheShippedCSV() throws {
        let embedded = try BuiltinDataset.digitsCSV()
        let shipped = try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("data/digits/digits.csv"))
        #expect(embedded == Array(shipped), "regenerate with scripts/embed-digits.py")
        let digits = try BuiltinDataset.digits.load()
        #expect(digits.samples.features.shape == [1797, 64])
        #expect(digits.task == .classification(classes: 10))
        #expect(digits.samples.features.scalars.max() == 16)
    }

    static func npy(_ descr: String, shape: String, payload: [UInt8]) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + payload
    }

    @Test func readsNPYFiles() throws {
        let dir = try TemporaryDirectory()
        let floats: [Float] = [1, 2, 3, 4, 5, 6]
        let payload = floats.flatMap { value -> [UInt8] in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
        try Data(Self.npy("<f4", shape: "(3, 2)", payload: payload)).write(to: URL(fileURLWithPath: dir.file("x.npy")))
        let labels: [Int64] = [0, 1, 1]
        let labelBytes = labels.flatMap { value -> [UInt8] in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        try Data(Self.npy("<i8", shape: "(3,)", payload: labelBytes)).write(to: URL(fileURLWithPath: dir.file("y.npy")))
        let x = try NPYLoader.read(dir.file("x.npy"))
        #expect(x.shape == [3, 2] && x.values == [1, 2, 3, 4, 5, 6])
        // The same array as numpy 2.x writes it: np.save(f, np.arange(1, 7, dtype=np.float32).reshape(3, 2)).
        let numpyHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }" + String(repeating: " ", count: 58) + "\n"
        let numpyFile: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0] + Array(numpyHeader.utf8) + payload
        #expect(numpyHeader.utf8.count == 118)
        try Data(numpyFile).write(to: URL(fileURLWithPath: dir.file("numpy.npy")))
        #expect(try NPYLoader.read(dir.file("numpy.npy")).values == [1, 2, 3, 4, 5, 6])
        let y = try NPYLoader.read(dir.file("y.npy"))
        let (samples, task) = try ArrayLoader.samples(features: x.values, featureShape: x.shape, targets: y.values,
                                                      task: .classification, featuresFile: "x.npy", targetsFile: "y.npy")
        #expect(task == .classification(classes: 2))
        #expect(samples.targets == .classes([0, 1, 1]))
        try Data(Self.npy("<f4", shape: "(3, 2)", payload: Array(payload.prefix(10)))).write(to: URL(fileURLWithPath: dir.file("short.npy")))
        #expect(throws: DataError.self) { _ = try NPYLoader.read(dir.file("short.npy")) }
        try Data(Self.npy("<c8", shape: "(1,)", payload: [0, 0, 0, 0, 0, 0, 0, 0])).write(to: URL(fileURLWithPath: dir.file("complex.npy")))
        #expect(throws: DataError.self) { _ = try NPYLoader.read(dir.file("complex.npy")) }
    }

    @Test func readsHDF5Datasets() throws {
        let dir = try TemporaryDirectory()
        let file = try HDF5File.create(at: dir.file("d.h5"))
        // Distinct values, so a transposed, shifted or reordered read shows.
        let features: [Float] = [0.5, -1.25, 2, 3.75, -4.5, 5.125, 6, -7.875]
        try file.root().write(features, shape: [4, 2], at: "x")
        try file.root().write([Int64(0), 2, 1, 2], shape: [4], at: "y")
        try file.root().write([Double(1.5), -2.25, 0, 4.75], shape: [4], at: "r")
        try file.close()
        let (samples, task) = try ArrayLoader.hdf5(path: dir.file("d.h5"), features: "x", targets: "y", task: .classification)
        #expect(task == .classification(classes: 3))
        #expect(samples.features.shape == [4, 2])
        #expect(samples.features.scalars == features)
        #expect(samples.targets == .classes([0, 2, 1, 2]))
        let (regression, regressionTask) = try ArrayLoader.hdf5(path: dir.file("d.h5"), features: "x", targets: "r", task: .regression)
        #expect(regressionTask == .regression)
        #expect(regression.features.scalars == features)
        #expect(regression.targets == .values([1.5, -2.25, 0, 4.75]))
        let missing = #expect(throws: DataError.self) {
            _ = try ArrayLoader.hdf5(path: dir.file("d.h5"), features: "features", targets: "y", task: .classification)
        }
        #expect(missing?.message.contains("no dataset 'features'") == true)
    }

    @Test func syntheticBlobsAreReproducible() {
        let a = SyntheticDataset.ibalDefault(seed: 3).generate()
        let b = SyntheticDataset.ibalDefault(seed: 3).generate()
        #expect(a.samples == b.samples)
        #expect(a.samples.count == 2550)
        guard case .classes(let labels) = a.samples.targets else { Issue.record("expected class targets"); return }
        #expect(labels.filter { $0 == 2 }.count == 50)
        #expect(SyntheticDataset.ibalDefault(seed: 4).generate().samples != a.samples)
    }

    @Test func preparationSplitsAndNormalisesFromThePoolOnly() throws {
        let raw = try BuiltinDataset.digits.load()
        let data = try Preparation.prepare(raw, options: .init(testFraction: 0.25, splitSeed: 1), source: "digits")
        #expect(data.train.count + data.test.count == 1797)
        #expect(data.test.count == 449)
        // Pool features are standardised: mean 0 (or constant columns 0), std 1.
        let width = 64
        for j in [10, 20, 36] {
            let column = (0..<data.train.count).map { Double(data.train.features.scalars[$0 * width + j]) }
            let mean = column.reduce(0, +) / Double(column.count)
            #expect(abs(mean) < 1e-4)
        }
        let again = try Preparation.prepare(raw, options: .init(testFraction: 0.25, splitSeed: 1), source: "digits")
        #expect(again.train == data.train)

        let ordered = try Preparation.prepare(raw, options: .init(testFraction: 0.5, split: .ordered, normalize: .none), source: "d")
        #expect(ordered.train.features.row(0) == raw.samples.features.row(0))
        #expect(throws: DataError.self) { _ = try Preparation.prepare(raw, options: .init(testFraction: 0.0001), source: "d") }
    }

    @Test func regressionTargetsAreStandardisedAndRecoverable() throws {
        let raw = RawDataset(task: .regression, featureShape: [1],
                             samples: LabeledSamples(features: .init(shape: [6, 1], scalars: [1, 2, 3, 4, 5, 6]), targets: .values([10, 20, 30, 40, 50, 60])))
        let data = try Preparation.prepare(raw, options: .init(testFraction: 0.5, split: .ordered), source: "r")
        guard case .values(let y) = data.train.targets, case .values(let t) = data.test.targets else { Issue.record("expected value targets"); return }
        #expect(abs(y.reduce(0, +)) < 1e-5)
        #expect(abs(data.normalization.originalTarget(t[0]) - 40) < 1e-4)
    }
}
