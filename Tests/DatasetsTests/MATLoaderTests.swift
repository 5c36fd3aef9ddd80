import Datasets
import Foundation
import TestSupport
import Testing

@Suite struct MATLoaderTests {
    /// Writes an SVHN-like file with scipy: X is uint8 32×32×3×n with
    /// X[i, j, c, k] = (3i + 7j + 80c + 13(first + k)) mod 256 (MATLAB
    /// X(i+1, j+1, c+1, k+1), stored column-major), y the given labels as
    /// double n×1 (or 1×n with `row`), plus a char variable to be skipped.
    static let makeSVHN = #"""
import sys, numpy as np, scipy.io
out, first, mode, labels, flags = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], set(sys.argv[5:])
y = np.array([float(v) for v in labels.split(',')])
n = len(y)
i, j, c, k = np.meshgrid(np.arange(32), np.arange(32), np.arange(3), np.arange(n), indexing='ij')
X = ((3 * i + 7 * j + 80 * c + 13 * (first + k)) % 256).astype(np.uint8)
variables = {'note': 'hello', 'X': X, 'y': y if 'row' in flags else y.reshape(n, 1)}
if 'noy' in flags: del variables['y']
scipy.io.savemat(out, variables, do_compression=(mode == 'compressed'))
"""#

    /// A level-5 file written element by element, in either byte order, with
    /// the storage MATLAB itself uses: a double array stored as uint8, small
    /// elements for names and values of up to 4 bytes, and an empty cell array.
    static let makeByHand = #"""
import struct, sys
out, order = sys.argv[1], sys.argv[2]
e = '>' if order == 'big' else '<'
def element(kind, data):
    if len(data) <= 4:
        return struct.pack(e + 'I', (len(data) << 16) | kind) + data.ljust(4, b'\0')
    return struct.pack(e + 'II', kind, len(data)) + data + bytes(-len(data) % 8)
def matrix(name, array_class, dims, kind=None, fmt=None, values=()):
    body = element(6, struct.pack(e + 'II', array_class, 0)) + element(5, struct.pack(e + f'{len(dims)}i', *dims)) \
        + element(1, name.encode())
    if kind is not None:
        body += element(kind, struct.pack(e + f'{len(values)}{fmt}', *values))
    return struct.pack(e + 'II', 14, len(body)) + body
header = b'MATLAB 5.0 MAT-file, written by hand'.ljust(116, b' ') + bytes(8) + struct.pack(e + 'HH', 0x0100, 0x4D49)
with open(out, 'wb') as f:
    f.write(header + matrix('a', 6, [2, 3], 2, 'B', [1, 2, 3, 4, 5, 6])
            + matrix('bb', 7, [1, 2], 7, 'f', [1.5, -2.0])
            + matrix('c', 10, [1, 1], 3, 'h', [-3])
            + matrix('cel', 1, [0, 0])
            + matrix('longer_name', 6, [1, 1], 9, 'd', [2.25]))
"""#

    static func python(_ script: String, _ arguments: [String], in dir: TemporaryDirectory) throws {
        try script.write(toFile: dir.file("make.py"), atomically: true, encoding: .utf8)
        let result = try Subprocess.run("/usr/bin/env", ["python3", dir.file("make.py")] + arguments)
        try #require(result.status == 0, "python3 failed: \(result.stderr)")
    }

    static func svhn(_ name: String, first: Int, compressed: Bool, labels: [Int], _ flags: [String] = [],
                     in dir: TemporaryDirectory) throws -> String {
        let path = dir.file(name)
        try python(makeSVHN, [path, String(first), compressed ? "compressed" : "plain",
                              labels.map(String.init).joined(separator: ",")] + flags, in: dir)
        return path
    }

    static func pattern(_ k: Int, _ row: Int, _ column: Int, _ channel: Int) -> Float {
        Float((3 * row + 7 * column + 80 * channel + 13 * k) % 256)
    }

    static func value(_ samples: LabeledSamples, _ n: Int, _ row: Int, _ column: Int, _ channel: Int) -> Float {
        ImagePattern.value(samples, n, row, column, channel)
    }

    static func expectPattern(_ samples: LabeledSamples, first: Int) {
        #expect(ImagePattern.mismatches(samples, first: first) { pattern($0, $1, $2, $3) } == 0)
    }

    @Test(.enabled(if: Tools.python("numpy", "scipy"), "needs python3 with numpy and scipy to write MAT files"))
    func readsSVHNFromCompressedAndPlainFiles() throws {
        let dir = try TemporaryDirectory()
        let train = try Self.svhn("train.mat", first: 0, compressed: true, labels: [10, 1, 5, 10, 9], in: dir)
        let test = try Self.svhn("test.mat", first: 50, compressed: false, labels: [3, 10, 7], ["row"], in: dir)

        let variables = try MATLoader.read(train, variables: ["X", "y"])
        #expect(variables["X"]?.className == "uint8" && variables["X"]?.dimensions == [32, 32, 3, 5])
        #expect(variables["y"]?.className == "double" && variables["y"]?.dimensions == [5, 1])
        #expect(variables["y"]?.values == .double([10, 1, 5, 10, 9]))
        #expect(try MATLoader.read(test, variables: ["y"])["y"]?.dimensions == [1, 3])

        let raw = try SVHNLoader.load(train: train, test: test)
        #expect(raw.task == .classification(classes: 10))
        #expect(raw.featureShape == [32, 32, 3])
        #expect(raw.classNames == ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
        #expect(raw.samples.features.shape == [5, 32, 32, 3])
        #expect(raw.samples.targets == .classes([0, 1, 5, 0, 9]))
        let testSamples = try #require(raw.test)
        #expect(testSamples.features.shape == [3, 32, 32, 3])
        #expect(testSamples.targets == .classes([3, 0, 7]))
        // Known positions: sample, row, column, channel.
        #expect(Self.value(raw.samples, 0, 0, 1, 0) == 7)
        #expect(Self.value(raw.samples, 0, 1, 0, 0) == 3)
        #expect(Self.value(raw.samples, 0, 0, 0, 1) == 80)
        #expect(Self.value(raw.samples, 1, 2, 5, 2) == 214)
        #expect(Self.value(raw.samples, 4, 31, 0, 1) == 225)
        #expect(Self.value(testSamples, 0, 0, 0, 0) == 138)
        Self.expectPattern(raw.samples, first: 0)
        Self.expectPattern(testSamples, first: 50)
    }

    @Test(.enabled(if: Tools.python("struct"), "needs python3 to write MAT files"))
    func readsBothByteOrdersAndMATLABsCompactStorage() throws {
        let dir = try TemporaryDirectory()
        for order in ["little", "big"] {
            let path = dir.file("\(order).mat")
            try Self.python(Self.makeByHand, [path, order], in: dir)
            let variables = try MATLoader.read(path, variables: ["a", "bb", "c", "longer_name"])
            #expect(variables["a"]?.className == "double", "\(order)")
            #expect(variables["a"]?.dimensions == [2, 3], "\(order)")
            #expect(variables["a"]?.values == .uint8([1, 2, 3, 4, 5, 6]), "\(order)")
            #expect(variables["bb"]?.values == .double([1.5, -2]), "\(order)")
            #expect(variables["c"]?.className == "int16" && variables["c"]?.values == .double([-3]), "\(order)")
            #expect(variables["longer_name"]?.values == .double([2.25]), "\(order)")
            let cell = #expect(throws: DataError.self) { _ = try MATLoader.read(path, variables: ["cel"]) }
            #expect(cell?.file == path)
            #expect(cell?.message.contains("'cel' is a cell array") == true)
        }
    }

    static func header(version: [UInt8] = [0x00, 0x01], indicator: String = "IM", text: String = "MATLAB 5.0 MAT-file") -> [UInt8] {
        let padded = Array(text.utf8) + [UInt8](repeating: 0x20, count: 116 - text.utf8.count)
        return padded + [UInt8](repeating: 0, count: 8) + version + Array(indicator.utf8)
    }

    @Test func badHeadersGiveDataErrors() throws {
        let dir = try TemporaryDirectory()
        let cases: [(name: String, bytes: [UInt8], says: String)] = [
            ("short.mat", Array(Self.header().prefix(50)), "128-byte header"),
            ("indicator.mat", Self.header(indicator: "XY"), "endian indicator"),
            ("v73.mat", Self.header(version: [0x00, 0x02]), "MATLAB 7.3"),
            ("v4.mat", [0, 0, 0, 0] + Array(Self.header().dropFirst(4)), "MATLAB v4"),
        ]
        for bad in cases {
            try Data(bad.bytes).write(to: URL(fileURLWithPath: dir.file(bad.name)))
            let error = #expect(throws: DataError.self) { _ = try SVHNLoader.samples(dir.file(bad.name)) }
            #expect(error?.file == dir.file(bad.name))
            #expect(error?.message.contains(bad.says) == true, "\(bad.name): \(error?.message ?? "")")
        }
        // A header and nothing else: a valid, empty file.
        try Data(Self.header()).write(to: URL(fileURLWithPath: dir.file("empty.mat")))
        let empty = #expect(throws: DataError.self) { _ = try SVHNLoader.samples(dir.file("empty.mat")) }
        #expect(empty?.message.contains("no variable 'X'") == true)
    }

    @Test(.enabled(if: Tools.python("numpy", "scipy"), "needs python3 with numpy and scipy to write MAT files"))
    func damagedFilesGiveDataErrors() throws {
        let dir = try TemporaryDirectory()
        for compressed in [true, false] {
            let path = try Self.svhn("whole-\(compressed).mat", first: 0, compressed: compressed, labels: [1, 2], in: dir)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            let cut = dir.file("cut-\(compressed).mat")
            try bytes.prefix(bytes.count - 1000).write(to: URL(fileURLWithPath: cut))
            let truncated = #expect(throws: DataError.self) { _ = try SVHNLoader.samples(cut) }
            #expect(truncated?.file == cut)
            #expect(truncated?.message.contains("truncated") == true, "\(truncated?.message ?? "")")
        }
        // Compressed data with its middle overwritten.
        let path = try Self.svhn("whole.mat", first: 0, compressed: true, labels: [1, 2], in: dir)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for k in (bytes.count / 2)..<(bytes.count / 2 + 64) { bytes[k] = 0xFF }
        try Data(bytes).write(to: URL(fileURLWithPath: dir.file("scrambled.mat")))
        let scrambled = #expect(throws: DataError.self) { _ = try SVHNLoader.samples(dir.file("scrambled.mat")) }
        #expect(scrambled?.file == dir.file("scrambled.mat"))

        let badLabel = try Self.svhn("label.mat", first: 0, compressed: false, labels: [1, 11], in: dir)
        let label = #expect(throws: DataError.self) { _ = try SVHNLoader.samples(badLabel) }
        #expect(label?.file == badLabel)
        #expect(label?.message.contains("label 11.0 of image 1") == true, "\(label?.message ?? "")")

        let noLabels = try Self.svhn("noy.mat", first: 0, compressed: true, labels: [1], ["noy"], in: dir)
        let missing = #expect(throws: DataError.self) { _ = try SVHNLoader.samples(noLabels) }
        #expect(missing?.message.contains("no variable 'y' in the MAT file (variables: 'note', 'X')") == true, "\(missing?.message ?? "")")
    }
}
