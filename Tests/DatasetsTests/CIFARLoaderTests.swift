import Datasets
import Foundation
import TestSupport
import Testing

@Suite struct CIFARLoaderTests {
    /// Writes a small archive laid out like cifar-10-binary.tar.gz or
    /// cifar-100-binary.tar.gz. Record k's pixel (channel c, row r, column j)
    /// is (7k + 50c + 3r + j) mod 256; training records are k = 0, 1, …,
    /// test records k = 100, 101, …; CIFAR-10 labels are k mod 10, CIFAR-100
    /// fine labels 37k mod 100 (coarse labels 3k + 1 mod 20, to be ignored).
    static let makeArchive = #"""
import gzip, io, sys, tarfile
out, variant, flags = sys.argv[1], sys.argv[2], set(sys.argv[3:])
def pixel(k, c, r, j): return (7 * k + 50 * c + 3 * r + j) % 256
def record(k):
    pixels = bytes(pixel(k, c, r, j) for c in range(3) for r in range(32) for j in range(32))
    if variant == 'cifar10':
        return bytes([10 if 'badlabel' in flags and k == 1 else k % 10]) + pixels
    return bytes([(3 * k + 1) % 20, (37 * k) % 100]) + pixels
members = {}
if variant == 'cifar10':
    folder = 'cifar-10-batches-bin'
    k = 0
    for batch, count in enumerate([2, 1, 1, 1, 2], 1):
        members[f'{folder}/data_batch_{batch}.bin'] = b''.join(record(k + i) for i in range(count))
        k += count
    members[f'{folder}/test_batch.bin'] = b''.join(record(100 + i) for i in range(3))
    names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
    if 'fewnames' in flags: names = names[:9]
    members[f'{folder}/batches.meta.txt'] = ('\n'.join(names) + '\n\n').encode()
    members[f'{folder}/readme.html'] = b'<html></html>'
    if 'badsize' in flags: members[f'{folder}/data_batch_3.bin'] += bytes(5)
else:
    folder = 'cifar-100-binary'
    members[f'{folder}/train.bin'] = b''.join(record(k) for k in range(4))
    members[f'{folder}/test.bin'] = b''.join(record(100 + k) for k in range(2))
    members[f'{folder}/fine_label_names.txt'] = ''.join(f'fine_{i}\n' for i in range(100)).encode()
    members[f'{folder}/coarse_label_names.txt'] = ''.join(f'coarse_{i}\n' for i in range(20)).encode()
buffer = io.BytesIO()
with tarfile.open(fileobj=buffer, mode='w', format=tarfile.GNU_FORMAT if 'gnu' in flags else tarfile.PAX_FORMAT) as tar:
    directory = tarfile.TarInfo(folder)
    directory.type = tarfile.DIRTYPE
    tar.addfile(directory)
    for name, data in members.items():
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
data = buffer.getvalue()
if 'truncate' in flags: data = data[:3000]   # inside data_batch_1.bin's records
with open(out, 'wb') as f: f.write(gzip.compress(data))
"""#

    /// Archives in every tar dialect `tarfile` writes, with a member whose
    /// path is too long for the 100-byte name field.
    static let makeTars = #"""
import io, sys, tarfile
folder = sys.argv[1]
long = 'deep/' * 25 + 'member.bin'
for label, fmt in [('ustar', tarfile.USTAR_FORMAT), ('pax', tarfile.PAX_FORMAT), ('gnu', tarfile.GNU_FORMAT)]:
    with tarfile.open(f'{folder}/{label}.tar', mode='w', format=fmt) as tar:
        for name, data in [('a.txt', b'hello'), (long, bytes(range(256)) * 3), ('empty', b'')]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo('link')
        link.type = tarfile.SYMTYPE
        link.linkname = 'a.txt'
        tar.addfile(link)
"""#

    static func python(_ script: String, _ arguments: [String], in dir: TemporaryDirectory) throws {
        try script.write(toFile: dir.file("make.py"), atomically: true, encoding: .utf8)
        let result = try Subprocess.run("/usr/bin/env", ["python3", dir.file("make.py")] + arguments)
        try #require(result.status == 0, "python3 failed: \(result.stderr)")
    }

    static func archive(_ variant: String, _ flags: [String] = [], in dir: TemporaryDirectory) throws -> String {
        let path = dir.file(([variant] + flags).joined(separator: "-") + ".tar.gz")
        try python(makeArchive, [path, variant] + flags, in: dir)
        return path
    }

    static func pixel(_ k: Int, _ channel: Int, _ row: Int, _ column: Int) -> Float {
        Float((7 * k + 50 * channel + 3 * row + column) % 256)
    }

    static func value(_ samples: LabeledSamples, _ n: Int, _ row: Int, _ column: Int, _ channel: Int) -> Float {
        ImagePattern.value(samples, n, row, column, channel)
    }

    static func expectPattern(_ samples: LabeledSamples, first: Int) {
        #expect(ImagePattern.mismatches(samples, first: first) { pixel($0, $3, $1, $2) } == 0)
    }

    @Test(.enabled(if: Tools.python("tarfile", "gzip"), "needs python3 to write test archives"))
    func readsCIFAR10InNHWCOrder() throws {
        let dir = try TemporaryDirectory()
        let raw = try CIFARLoader.load(archive: Self.archive("cifar10", in: dir), variant: .cifar10)
        #expect(raw.task == .classification(classes: 10))
        #expect(raw.featureShape == [32, 32, 3])
        #expect(raw.samples.features.shape == [7, 32, 32, 3])
        #expect(raw.classNames == ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"])
        // The five batches in order, then the test batch as the test split.
        #expect(raw.samples.targets == .classes([0, 1, 2, 3, 4, 5, 6]))
        let test = try #require(raw.test)
        #expect(test.features.shape == [3, 32, 32, 3])
        #expect(test.targets == .classes([0, 1, 2]))
        // Known positions: sample, row, column, channel.
        #expect(Self.value(raw.samples, 0, 0, 1, 0) == 1)
        #expect(Self.value(raw.samples, 0, 1, 0, 0) == 3)
        #expect(Self.value(raw.samples, 0, 0, 0, 1) == 50)
        #expect(Self.value(raw.samples, 1, 2, 5, 2) == 118)
        #expect(Self.value(raw.samples, 6, 31, 31, 1) == 216)
        #expect(Self.value(test, 0, 0, 0, 0) == 188)
        Self.expectPattern(raw.samples, first: 0)
        Self.expectPattern(test, first: 100)
    }

    @Test(.enabled(if: Tools.python("tarfile", "gzip"), "needs python3 to write test archives"))
    func readsCIFAR100WithFineLabels() throws {
        let dir = try TemporaryDirectory()
        let raw = try CIFARLoader.load(archive: Self.archive("cifar100", in: dir), variant: .cifar100)
        #expect(raw.task == .classification(classes: 100))
        #expect(raw.samples.features.shape == [4, 32, 32, 3])
        #expect(raw.samples.targets == .classes([0, 37, 74, 11]))
        #expect(raw.test?.targets == .classes([0, 37]))
        #expect(raw.classNames.count == 100)
        #expect(raw.classNames.first == "fine_0" && raw.classNames.last == "fine_99")
        #expect(Self.value(raw.samples, 3, 10, 20, 2) == Self.pixel(3, 2, 10, 20))
        Self.expectPattern(raw.samples, first: 0)
        if let test = raw.test { Self.expectPattern(test, first: 100) }
    }

    @Test(.enabled(if: Tools.python("tarfile"), "needs python3 to write test archives"))
    func tarReaderReadsUstarPaxAndGNUArchives() throws {
        let dir = try TemporaryDirectory()
        try Self.python(Self.makeTars, [dir.path], in: dir)
        let long = String(repeating: "deep/", count: 25) + "member.bin"
        for dialect in ["ustar", "pax", "gnu"] {
            let tar = try TarReader.open(dir.file("\(dialect).tar"))
            #expect(tar.entries.map(\.name) == ["a.txt", long, "empty"], "\(dialect)")
            #expect(tar.entries.map(\.size) == [5, 768, 0], "\(dialect)")
            #expect(try Array(tar.contents(of: "a.txt")) == Array("hello".utf8), "\(dialect)")
            #expect(try Array(tar.contents(of: long)) == Array((0..<768).map { UInt8($0 % 256) }), "\(dialect)")
            let missing = #expect(throws: DataError.self) { _ = try tar.contents(of: "b.txt") }
            #expect(missing?.file == dir.file("\(dialect).tar"))
        }
    }

    @Test func tarReaderRejectsDamagedArchives() throws {
        #expect(try TarReader(bytes: [UInt8](repeating: 0, count: 1024), file: "empty.tar").entries.isEmpty)
        let oneZeroBlock = #expect(throws: DataError.self) { _ = try TarReader(bytes: [UInt8](repeating: 0, count: 512), file: "cut.tar") }
        #expect(oneZeroBlock?.file == "cut.tar")
        #expect(oneZeroBlock?.message.contains("truncated") == true)
        let noEnd = #expect(throws: DataError.self) { _ = try TarReader(bytes: [], file: "none.tar") }
        #expect(noEnd?.message.contains("truncated") == true)
        let garbage = #expect(throws: DataError.self) {
            _ = try TarReader(bytes: (0..<1536).map { UInt8($0 % 251) }, file: "garbage.tar")
        }
        #expect(garbage?.file == "garbage.tar")
    }

    @Test(.enabled(if: Tools.python("tarfile", "gzip"), "needs python3 to write test archives"))
    func malformedArchivesGiveDataErrors() throws {
        let dir = try TemporaryDirectory()
        let truncated = try Self.archive("cifar10", ["truncate"], in: dir)
        let cut = #expect(throws: DataError.self) { _ = try CIFARLoader.load(archive: truncated, variant: .cifar10) }
        #expect(cut?.file == truncated)
        #expect(cut?.message.contains("truncated") == true)

        let badSize = try Self.archive("cifar10", ["badsize"], in: dir)
        let size = #expect(throws: DataError.self) { _ = try CIFARLoader.load(archive: badSize, variant: .cifar10) }
        #expect(size?.file == badSize + ":cifar-10-batches-bin/data_batch_3.bin")
        #expect(size?.message.contains("3073-byte records") == true)

        let badLabel = try Self.archive("cifar10", ["badlabel"], in: dir)
        let label = #expect(throws: DataError.self) { _ = try CIFARLoader.load(archive: badLabel, variant: .cifar10) }
        #expect(label?.file == badLabel + ":cifar-10-batches-bin/data_batch_1.bin")
        #expect(label?.message.contains("record 1: label 10") == true)

        let fewNames = try Self.archive("cifar10", ["fewnames"], in: dir)
        let names = #expect(throws: DataError.self) { _ = try CIFARLoader.load(archive: fewNames, variant: .cifar10) }
        #expect(names?.file == fewNames + ":cifar-10-batches-bin/batches.meta.txt")
        #expect(names?.message.contains("expected 10 class names") == true)

        // A CIFAR-10 archive read as CIFAR-100 (GNU dialect this time).
        let cifar10 = try Self.archive("cifar10", ["gnu"], in: dir)
        #expect(try CIFARLoader.load(archive: cifar10, variant: .cifar10).samples.count == 7)
        let wrong = #expect(throws: DataError.self) { _ = try CIFARLoader.load(archive: cifar10, variant: .cifar100) }
        #expect(wrong?.file == cifar10)
        #expect(wrong?.message.contains("no member 'cifar-100-binary/fine_label_names.txt'") == true)

        #expect(throws: DataError.self) { _ = try CIFARLoader.load(archive: dir.file("absent.tar.gz"), variant: .cifar10) }
    }
}
