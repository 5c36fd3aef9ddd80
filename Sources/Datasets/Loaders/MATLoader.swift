/// Reader for MATLAB level-5 MAT files (`save -v6` and `-v7`, and SciPy's
/// `savemat`), enough for numeric arrays such as SVHN's: a 128-byte header
/// (text, subsystem offset, version 0x0100, endian indicator "IM" or "MI"),
/// then data elements — an 8-byte tag (type, byte count) and the data padded
/// to 8 bytes, or the 4-byte "small element" form for up to 4 bytes. A
/// variable is an `miMATRIX` element (array flags, dimensions, name, real
/// part), possibly wrapped in an `miCOMPRESSED` zlib stream (`-v7`).
public enum MATLoader {
    /// Implementation version (part of the load stage key of MAT sources, with SVHNLoader's); bump on any change of what it reads.
    public static let version = 1

    /// A numeric variable.
    public struct Matrix: Sendable {
        public let name: String
        /// MATLAB's class: "double", "single", "uint8", "int32", …
        public let className: String
        /// Dimensions in MATLAB's order; values are column-major (the first index varies fastest).
        public let dimensions: [Int]
        public let values: Values
        public var count: Int { dimensions.reduce(1, *) }
    }

    /// The real part as stored: bytes stay bytes (image data), everything else becomes Double (exactly, up to 2⁵³).
    public enum Values: Sendable, Equatable {
        case uint8([UInt8])
        case double([Double])

        public var count: Int {
            switch self {
            case .uint8(let v): return v.count
            case .double(let v): return v.count
            }
        }
    }

    /// The numeric variables `names` of the file at `path` (other variables are skipped).
    public static func read(_ path: String, variables names: [String]) throws -> [String: Matrix] {
        let bytes = try Gzip.readFile(path)
        let top = try MATBuffer(header: bytes, file: path)
        var found: [String: Matrix] = [:]
        var seen: [String] = []
        var offset = MATBuffer.headerSize
        while offset < bytes.count {
            let element = try top.element(at: offset, within: offset..<bytes.count)
            var variable: (name: String, matrix: Matrix?)?
            switch element.type {
            case MATBuffer.miCOMPRESSED:
                let inflated = try Zlib.inflate(bytes[element.data], file: path)
                let inner = MATBuffer(bytes: inflated, bigEndian: top.bigEndian, file: path,
                                      context: "in the compressed variable at byte \(offset): ")
                let matrix = try inner.element(at: 0, within: 0..<inflated.count)
                if matrix.type == MATBuffer.miMATRIX { variable = try inner.matrix(matrix.data, wanted: names) }
            case MATBuffer.miMATRIX:
                variable = try top.matrix(element.data, wanted: names)
            default:
                break   // other top-level elements carry no variables
            }
            if let variable {
                seen.append(variable.name)
                if let matrix = variable.matrix { found[variable.name] = matrix }
            }
            // Top-level elements are not padded (a compressed one's size is exact; a matrix's subelements are padded).
            offset = element.data.upperBound
        }
        for name in names where found[name] == nil {
            let list = seen.isEmpty ? "none" : seen.map { "'\($0)'" }.joined(separator: ", ")
            throw DataError(file: path, "no variable '\(name)' in the MAT file (variables: \(list))")
        }
        return found
    }
}

/// Bytes of a MAT file (or of one decompressed variable) with the file's byte order.
struct MATBuffer {
    static let headerSize = 128
    // Data types of elements.
    static let miINT8: UInt32 = 1, miUINT8: UInt32 = 2, miINT16: UInt32 = 3, miUINT16: UInt32 = 4
    static let miINT32: UInt32 = 5, miUINT32: UInt32 = 6, miSINGLE: UInt32 = 7, miDOUBLE: UInt32 = 9
    static let miINT64: UInt32 = 12, miUINT64: UInt32 = 13, miMATRIX: UInt32 = 14, miCOMPRESSED: UInt32 = 15
    static let miUTF8: UInt32 = 16
    /// Array classes (the low byte of the array flags), 1-based.
    static let classNames = ["cell", "struct", "object", "char", "sparse", "double", "single", "int8", "uint8",
                             "int16", "uint16", "int32", "uint32", "int64", "uint64", "function", "opaque"]
    static let numericClasses: ClosedRange<UInt32> = 6...15

    let bytes: [UInt8]
    let bigEndian: Bool
    let file: String
    /// Where in the file `bytes` are, for messages ("" for the file itself).
    let context: String

    init(bytes: [UInt8], bigEndian: Bool, file: String, context: String = "") {
        self.bytes = bytes
        self.bigEndian = bigEndian
        self.file = file
        self.context = context
    }

    func error(_ message: String) -> DataError { DataError(file: file, context + message) }

    /// Checks the 128-byte header and takes the byte order from its endian indicator.
    init(header bytes: [UInt8], file: String) throws {
        guard bytes.count >= Self.headerSize else {
            throw DataError(file: file, "not a MAT file: only \(bytes.count) bytes, less than the 128-byte header of a level-5 MAT file")
        }
        guard bytes[0..<4].allSatisfy({ $0 != 0 }) else {
            throw DataError(file: file, "not a level-5 MAT file: no header text (a MATLAB v4 file? save it with -v7)")
        }
        let indicator = String(decoding: bytes[126..<128], as: UTF8.self)
        guard indicator == "IM" || indicator == "MI" else {
            throw DataError(file: file, "not a level-5 MAT file: the endian indicator at byte 126 is '\(indicator)', not 'IM' or 'MI'")
        }
        self.init(bytes: bytes, bigEndian: indicator == "MI", file: file)
        let version = unsigned(at: 124, width: 2)
        guard version == 0x0100 else {
            let hint = version == 0x0200 ? " (a MATLAB 7.3 file, which is HDF5: save with -v7, or read it as an hdf5 source)" : ""
            throw DataError(file: file, "unsupported MAT file version 0x\(String(version, radix: 16))\(hint); alflow reads level-5 files (0x0100)")
        }
    }

    /// An unsigned integer of `width` bytes at `offset`, in the file's byte order.
    func unsigned(at offset: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in 0..<width {
            value |= UInt64(bytes[offset + k]) << (8 * (bigEndian ? width - 1 - k : k))
        }
        return value
    }

    struct Element {
        let type: UInt32
        let data: Range<Int>
        /// Where the next element starts (after the padding to 8 bytes).
        let next: Int
    }

    /// The element whose tag starts at `offset`; it must fit inside `limit`.
    func element(at offset: Int, within limit: Range<Int>) throws -> Element {
        guard offset + 8 <= limit.upperBound else {
            throw error("truncated or damaged: the data element at byte \(offset) does not fit in the \(limit.upperBound - offset) bytes left for it")
        }
        let first = UInt32(unsigned(at: offset, width: 4))
        if first >> 16 != 0 {   // small element: type and byte count share 4 bytes, data in the next 4
            let count = Int(first >> 16)
            guard count <= 4 else {
                throw error("damaged: the small data element at byte \(offset) announces \(count) bytes (at most 4)")
            }
            return Element(type: first & 0xFFFF, data: (offset + 4)..<(offset + 4 + count), next: offset + 8)
        }
        let count = Int(unsigned(at: offset + 4, width: 4))
        let start = offset + 8
        guard count <= limit.upperBound - start else {
            throw error("truncated or damaged: the data element at byte \(offset) announces \(count) bytes, but only \(limit.upperBound - start) follow")
        }
        let padded = start + (count + 7) / 8 * 8
        return Element(type: first, data: start..<(start + count), next: min(padded, limit.upperBound))
    }

    /// The name of the `miMATRIX` whose contents are `range`, and the matrix
    /// itself when `wanted` lists it; nil for a nameless one.
    func matrix(_ range: Range<Int>, wanted: [String]) throws -> (name: String, matrix: MATLoader.Matrix?)? {
        let flags = try element(at: range.lowerBound, within: range)
        guard flags.type == Self.miUINT32, flags.data.count == 8 else {
            throw error("damaged: the array at byte \(range.lowerBound) does not start with its array flags")
        }
        let flagWord = UInt32(unsigned(at: flags.data.lowerBound, width: 4))
        let arrayClass = flagWord & 0xFF
        let complex = flagWord & 0x800 != 0
        let dimensionElement = try element(at: flags.next, within: range)
        guard dimensionElement.type == Self.miINT32, dimensionElement.data.count % 4 == 0, dimensionElement.data.count >= 8 else {
            throw error("damaged: the array at byte \(range.lowerBound) has no dimensions (int32, at least 2)")
        }
        let dimensions = stride(from: dimensionElement.data.lowerBound, to: dimensionElement.data.upperBound, by: 4)
            .map { Int(Int32(bitPattern: UInt32(unsigned(at: $0, width: 4)))) }
        let nameElement = try element(at: dimensionElement.next, within: range)
        guard nameElement.type == Self.miINT8 || nameElement.type == Self.miUTF8 else {
            throw error("damaged: the array at byte \(range.lowerBound) has no name element")
        }
        let name = String(decoding: bytes[nameElement.data], as: UTF8.self)
        guard !name.isEmpty else { return nil }   // e.g. the subsystem data
        guard wanted.contains(name) else { return (name, nil) }

        let className = (1...Self.classNames.count).contains(Int(arrayClass)) ? Self.classNames[Int(arrayClass) - 1] : "class \(arrayClass)"
        guard Self.numericClasses.contains(arrayClass) else {
            throw error("variable '\(name)' is a \(className) array; alflow reads numeric arrays")
        }
        guard !complex else { throw error("variable '\(name)' is complex; alflow reads real arrays") }
        guard dimensions.allSatisfy({ $0 >= 0 }) else {
            throw error("variable '\(name)' has negative dimensions \(dimensions)")
        }
        let real = try element(at: nameElement.next, within: range)
        let values = try decode(real, name: name)
        let count = dimensions.reduce(1, *)
        guard values.count == count else {
            throw error("variable '\(name)' is \(dimensions.map(String.init).joined(separator: "×")) = \(count) values, but \(values.count) are stored")
        }
        return (name, MATLoader.Matrix(name: name, className: className, dimensions: dimensions, values: values))
    }

    /// The values of a numeric element (MATLAB may store a double array in a smaller integer type).
    func decode(_ element: Element, name: String) throws -> MATLoader.Values {
        let widths: [UInt32: Int] = [Self.miINT8: 1, Self.miUINT8: 1, Self.miINT16: 2, Self.miUINT16: 2, Self.miINT32: 4,
                                     Self.miUINT32: 4, Self.miSINGLE: 4, Self.miDOUBLE: 8, Self.miINT64: 8, Self.miUINT64: 8]
        guard let width = widths[element.type] else {
            throw error("variable '\(name)': values of data type \(element.type) are not a numeric type alflow reads")
        }
        guard element.data.count % width == 0 else {
            throw error("variable '\(name)': \(element.data.count) bytes of values is not a multiple of their \(width)-byte size")
        }
        if element.type == Self.miUINT8 { return .uint8(Array(bytes[element.data])) }
        let type = element.type
        let values = stride(from: element.data.lowerBound, to: element.data.upperBound, by: width).map { offset -> Double in
            let raw = unsigned(at: offset, width: width)
            switch type {
            case Self.miINT8: return Double(Int8(truncatingIfNeeded: raw))
            case Self.miINT16: return Double(Int16(truncatingIfNeeded: raw))
            case Self.miINT32: return Double(Int32(truncatingIfNeeded: raw))
            case Self.miINT64: return Double(Int64(bitPattern: raw))
            case Self.miSINGLE: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
            case Self.miDOUBLE: return Double(bitPattern: raw)
            default: return Double(raw)   // unsigned types
            }
        }
        return .double(values)
    }
}
