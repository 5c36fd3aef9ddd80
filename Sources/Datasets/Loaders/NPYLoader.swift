import Foundation
import Tensors

/// Reader for NumPy's `.npy` format (versions 1–3): the magic `\x93NUMPY`,
/// a version, a header length, a Python-literal header dict with `descr`,
/// `fortran_order` and `shape`, then the raw values in C order.
public enum NPYLoader {
    /// Implementation version (part of the load stage key of NPY sources, with ArrayLoader's).
    public static let version = 1

    public struct Array: Sendable {
        public let shape: [Int]
        /// Values converted to Double (exact for every supported type).
        public let values: [Double]
    }

    public static func read(_ path: String) throws -> Array {
        let bytes = try Gzip.readFile(path)
        let magic: [UInt8] = [0x93] + Swift.Array("NUMPY".utf8)
        guard bytes.count >= 10, Swift.Array(bytes[0..<6]) == magic else {
            throw DataError(file: path, "not a .npy file (the magic string \\x93NUMPY is missing)")
        }
        let major = bytes[6]
        let (lengthBytes, headerStart): (Int, Int) = major == 1 ? (2, 10) : (4, 12)
        guard major >= 1, major <= 3, bytes.count >= headerStart else {
            throw DataError(file: path, "unsupported .npy version \(major)")
        }
        var headerLength = 0
        for k in 0..<lengthBytes { headerLength |= Int(bytes[8 + k]) << (8 * k) }
        guard bytes.count >= headerStart + headerLength else { throw DataError(file: path, "truncated .npy header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let descr = try field("descr", in: header, path: path)
        let fortran = try field("fortran_order", in: header, path: path)
        let shapeText = try field("shape", in: header, path: path)
        guard fortran.hasPrefix("False") else {
            throw DataError(file: path, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
        }
        let shape = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let type = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        let count = shape.reduce(1, *)
        let data = Swift.Array(bytes[(headerStart + headerLength)...])
        let values = try decode(data, type: type, count: count, path: path)
        return Array(shape: shape, values: values)
    }

    /// The text of `key`'s value in the header dict (up to the next top-level comma or brace).
    static func field(_ key: String, in header: String, path: String) throws -> String {
        guard let range = header.range(of: "'\(key)':") else {
            throw DataError(file: path, "the .npy header has no '\(key)' entry")
        }
        var depth = 0
        var value = ""
        for character in header[range.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if depth == 0 && (character == "," || character == "}") { break }
            value.append(character)
        }
        return value.trimmingCharacters(in: .whitespaces)
    }

    static func decode(_ data: [UInt8], type: String, count: Int, path: String) throws -> [Double] {
        let widths: [String: Int] = ["<f4": 4, "<f8": 8, "|u1": 1, "|i1": 1, "<i2": 2, "<u2": 2, "<i4": 4, "<u4": 4, "<i8": 8, "|b1": 1]
        guard let width = widths[type] else {
            throw DataError(file: path, "unsupported .npy element type \(type) (little-endian floats, integers and booleans are read)")
        }
        guard data.count >= width * count else {
            throw DataError(file: path, "truncated: \(count) values of \(width) bytes announced, \(data.count) bytes present")
        }
        return data.withUnsafeBytes { raw in
            (0..<count).map { i -> Double in
                let offset = i * width
                switch type {
                case "<f4": return Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian))
                case "<f8": return Double(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian)
                case "|u1", "|b1": return Double(raw[offset])
                case "|i1": return Double(Int8(bitPattern: raw[offset]))
                case "<i2": return Double(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int16.self)))
                case "<u2": return Double(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
                case "<i4": return Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                case "<u4": return Double(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                default: return Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
                }
            }
        }
    }
}
