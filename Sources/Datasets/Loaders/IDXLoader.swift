import Foundation
import Tensors

/// Reader for the IDX format of MNIST and its relatives (optionally gzip):
/// a big-endian header — two zero bytes, an element-type code, the number
/// of dimensions, then each dimension as a 32-bit count — and raw values.
public enum IDXLoader {
    /// Implementation version (part of the load stage key of IDX sources); bump on any change of what it reads.
    public static let version = 1

    public struct Array: Sendable {
        public let dimensions: [Int]
        public let values: [UInt8]
    }

    /// Reads an IDX file of unsigned bytes (type 0x08).
    public static func read(_ path: String) throws -> Array {
        let bytes = try Gzip.readFile(path)
        guard bytes.count >= 4 else { throw DataError(file: path, "not an IDX file: only \(bytes.count) bytes") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(file: path, "not an IDX file: the magic number must start with two zero bytes")
        }
        guard bytes[2] == 0x08 else {
            throw DataError(file: path, String(format: "unsupported IDX element type 0x%02x (alflow reads unsigned bytes, 0x08)", bytes[2]))
        }
        let rank = Int(bytes[3])
        guard rank >= 1, rank <= 4 else { throw DataError(file: path, "unsupported IDX rank \(rank)") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else { throw DataError(file: path, "truncated IDX header") }
        var dimensions: [Int] = []
        for d in 0..<rank {
            let offset = 4 + 4 * d
            let size = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            dimensions.append(size)
        }
        let expected = dimensions.reduce(1, *)
        let found = bytes.count - headerSize
        guard found >= expected else {
            throw DataError(file: path, "truncated: the header announces \(dimensions.map(String.init).joined(separator: "×")) = \(expected) values, but only \(found) follow")
        }
        guard found == expected else {
            throw DataError(file: path, "\(found - expected) unexpected bytes after the \(expected) values the header announces")
        }
        return Array(dimensions: dimensions, values: Swift.Array(bytes[headerSize...]))
    }

    /// Images `[n, rows, cols]` and labels `[n]` as samples: features
    /// `[n, rows, cols, 1]` holding the raw 0…255 values, labels as classes.
    public static func samples(images imagePath: String, labels labelPath: String) throws -> (samples: LabeledSamples, classes: Int) {
        let images = try read(imagePath)
        let labels = try read(labelPath)
        guard images.dimensions.count == 3 else {
            throw DataError(file: imagePath, "expected images (3 dimensions: count × rows × columns), found \(images.dimensions.count) dimensions")
        }
        guard labels.dimensions.count == 1 else {
            throw DataError(file: labelPath, "expected labels (1 dimension), found \(labels.dimensions.count) dimensions")
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DataError(file: labelPath, "\(labels.dimensions[0]) labels for \(images.dimensions[0]) images in \(imagePath)")
        }
        let (n, rows, columns) = (images.dimensions[0], images.dimensions[1], images.dimensions[2])
        let features = Tensor(shape: [n, rows, columns, 1], scalars: images.values.map(Float.init))
        let classes = Int(labels.values.max() ?? 0) + 1
        return (LabeledSamples(features: features, targets: .classes(labels.values.map(Int32.init))), classes)
    }
}
