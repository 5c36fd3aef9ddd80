import Foundation
import Tensors

/// Reader for the binary versions of CIFAR-10 and CIFAR-100, straight from
/// the archives Krizhevsky distributes (`cifar-10-binary.tar.gz`,
/// `cifar-100-binary.tar.gz`). Each batch file is a run of fixed-size
/// records: the label byte(s), then 3072 pixel bytes — the 1024 red values
/// of the 32×32 image row by row, then the green ones, then the blue ones.
public enum CIFARLoader {
    /// Implementation version (part of the load stage key of CIFAR sources); bump on any change of what it reads.
    public static let version = 1

    public enum Variant: String, Sendable, Equatable, CaseIterable {
        /// 10 classes; records are 1 label byte + 3072 pixels.
        case cifar10
        /// 100 fine classes; records are a coarse and a fine label byte + 3072 pixels (the fine label is used).
        case cifar100

        var folder: String { self == .cifar10 ? "cifar-10-batches-bin" : "cifar-100-binary" }
        var trainMembers: [String] {
            self == .cifar10 ? (1...5).map { "data_batch_\($0).bin" } : ["train.bin"]
        }
        var testMember: String { self == .cifar10 ? "test_batch.bin" : "test.bin" }
        var namesMember: String { self == .cifar10 ? "batches.meta.txt" : "fine_label_names.txt" }
        var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        var classes: Int { self == .cifar10 ? 10 : 100 }
        var archiveName: String { self == .cifar10 ? "cifar-10-binary.tar.gz" : "cifar-100-binary.tar.gz" }
    }

    static let side = 32
    static let channels = 3
    static let pixelBytes = side * side * channels

    /// The training batches as samples, the test batch as the test split, and
    /// the class names of the meta file. Features are `[n, 32, 32, 3]`
    /// (height × width × channels) holding the raw 0…255 values.
    public static func load(archive path: String, variant: Variant) throws -> RawDataset {
        let archive = try TarReader.open(path)
        func member(_ name: String) throws -> (bytes: ArraySlice<UInt8>, file: String) {
            let full = variant.folder + "/" + name
            guard archive.entries.contains(where: { $0.name == full || $0.name == "./" + full }) else {
                throw DataError(file: path, "the archive has no member '\(full)'; is it \(variant.archiveName) (the binary version, not the Python or MATLAB one)?")
            }
            return (try archive.contents(of: full), "\(path):\(full)")
        }
        let names = try member(variant.namesMember)
        let classNames = try classNames(names.bytes, count: variant.classes, file: names.file)
        let train = try samples(variant.trainMembers.map(member), variant: variant)
        let test = try samples([member(variant.testMember)], variant: variant)
        return RawDataset(task: .classification(classes: variant.classes), featureShape: [side, side, channels],
                          samples: train, test: test, classNames: classNames)
    }

    /// One name per line; blank lines (the meta files end with some) are skipped.
    static func classNames(_ bytes: ArraySlice<UInt8>, count: Int, file: String) throws -> [String] {
        let names = String(decoding: bytes, as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard names.count == count else {
            throw DataError(file: file, "expected \(count) class names, one per line, found \(names.count)")
        }
        return names
    }

    /// The records of `batches`, in order, as NHWC samples.
    static func samples(_ batches: [(bytes: ArraySlice<UInt8>, file: String)], variant: Variant) throws -> LabeledSamples {
        let recordSize = variant.labelBytes + pixelBytes
        for batch in batches {
            guard !batch.bytes.isEmpty else { throw DataError(file: batch.file, "the batch is empty") }
            guard batch.bytes.count % recordSize == 0 else {
                throw DataError(file: batch.file, "\(batch.bytes.count) bytes is not a whole number of \(recordSize)-byte records (\(variant.labelBytes) label byte(s) + 3072 pixels); \(batch.bytes.count / recordSize) records and \(batch.bytes.count % recordSize) bytes over")
            }
        }
        let count = batches.reduce(0) { $0 + $1.bytes.count / recordSize }
        var scalars = [Float](repeating: 0, count: count * pixelBytes)
        var labels: [Int32] = []
        labels.reserveCapacity(count)
        let planeSize = side * side
        for batch in batches {
            for (index, start) in stride(from: batch.bytes.startIndex, to: batch.bytes.endIndex, by: recordSize).enumerated() {
                let label = Int(batch.bytes[start + variant.labelBytes - 1])
                guard label < variant.classes else {
                    throw DataError(file: batch.file, "record \(index): label \(label) is not a class 0…\(variant.classes - 1)")
                }
                let pixels = start + variant.labelBytes
                let output = labels.count * pixelBytes
                // Planar (channel, row, column) in the file → interleaved (row, column, channel).
                for position in 0..<planeSize {
                    for channel in 0..<channels {
                        scalars[output + position * channels + channel] = Float(batch.bytes[pixels + channel * planeSize + position])
                    }
                }
                labels.append(Int32(label))
            }
        }
        return LabeledSamples(features: Tensor(shape: [count, side, side, channels], scalars: scalars),
                              targets: .classes(labels))
    }
}
