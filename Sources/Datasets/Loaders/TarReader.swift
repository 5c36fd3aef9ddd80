/// Reader of tar archives held in memory (POSIX ustar, with the pax and GNU
/// long-name extensions Python's `tarfile` and GNU tar write): 512-byte
/// header blocks, each followed by its member's data padded to whole blocks,
/// and two zero blocks at the end. Lists regular files only; nothing is
/// extracted to disk.
public struct TarReader: Sendable {
    /// A regular file in the archive; its content is `bytes[range]`.
    public struct Entry: Sendable, Equatable {
        /// The member's path as stored (ustar prefix, pax `path` or GNU long name applied).
        public let name: String
        public let size: Int
        public let range: Range<Int>
    }

    static let blockSize = 512

    /// The archive's name in error messages.
    public let file: String
    public let bytes: [UInt8]
    public let entries: [Entry]

    /// Reads `path`, gunzipping it if it is compressed (a `.tar.gz` or a plain `.tar`).
    public static func open(_ path: String) throws -> TarReader {
        try TarReader(bytes: Gzip.readFile(path), file: path)
    }

    /// Lists the regular files of an (uncompressed) archive.
    public init(bytes: [UInt8], file: String) throws {
        self.file = file
        self.bytes = bytes
        self.entries = try Self.list(bytes, file: file)
    }

    /// The content of member `name` (a leading `./` in the stored name is ignored).
    public func contents(of name: String) throws -> ArraySlice<UInt8> {
        guard let entry = entries.first(where: { $0.name == name || $0.name == "./" + name }) else {
            throw DataError(file: file, "the archive has no member '\(name)'")
        }
        return bytes[entry.range]
    }

    public func contents(of entry: Entry) -> ArraySlice<UInt8> { bytes[entry.range] }

    static func list(_ bytes: [UInt8], file: String) throws -> [Entry] {
        var entries: [Entry] = []
        var offset = 0
        // Overrides for the next header, from a pax extended header or a GNU long-name member.
        var nextName: String?
        var nextSize: Int?
        while true {
            guard offset < bytes.count else {
                throw DataError(file: file, "truncated tar archive: it ends at byte \(bytes.count) without the two zero blocks that close an archive")
            }
            guard offset + blockSize <= bytes.count else {
                throw DataError(file: file, "truncated tar archive: it ends at byte \(bytes.count), inside the header block at byte \(offset)")
            }
            let header = bytes[offset..<(offset + blockSize)]
            if header.allSatisfy({ $0 == 0 }) {
                let next = offset + blockSize
                guard next + blockSize <= bytes.count else {
                    throw DataError(file: file, "truncated tar archive: only one of the two zero blocks that close it, at byte \(offset)")
                }
                guard bytes[next..<(next + blockSize)].allSatisfy({ $0 == 0 }) else {
                    throw DataError(file: file, "a lone zero block at byte \(offset) in the middle of the tar archive")
                }
                return entries
            }
            try verifyChecksum(header, at: offset, file: file)
            let type = header[header.startIndex + 156]
            let size = try nextSize ?? octal(header, field: 124..<136, name: "size", at: offset, file: file)
            let start = offset + blockSize
            guard size <= bytes.count - start else {
                throw DataError(file: file, "truncated tar archive: member at byte \(offset) announces \(size) bytes, but only \(bytes.count - start) follow")
            }
            let data = start..<(start + size)
            switch type {
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):   // regular file (old style, contiguous)
                let name = nextName ?? storedName(header)
                entries.append(Entry(name: name, size: size, range: data))
                nextName = nil
                nextSize = nil
            case UInt8(ascii: "x"):                          // pax header of the next member
                let records = try paxRecords(bytes[data], at: offset, file: file)
                nextName = records["path"] ?? nextName
                if let text = records["size"] {
                    guard let value = Int(text), value >= 0 else {
                        throw DataError(file: file, "pax header at byte \(offset): size '\(text)' is not a byte count")
                    }
                    nextSize = value
                }
            case UInt8(ascii: "L"):                          // GNU long name of the next member
                nextName = cString(bytes[data])
            default:                                         // directories, links, global pax headers, …
                nextName = nil
                nextSize = nil
            }
            offset = start + (size + blockSize - 1) / blockSize * blockSize
        }
    }

    /// The header's checksum: the sum of its bytes with the checksum field read as spaces.
    static func verifyChecksum(_ header: ArraySlice<UInt8>, at offset: Int, file: String) throws {
        let stored = try octal(header, field: 148..<156, name: "checksum", at: offset, file: file)
        var unsigned = 0, signed = 0
        for (k, byte) in header.enumerated() {
            let value = (148..<156).contains(k) ? UInt8(ascii: " ") : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else {
            throw DataError(file: file, "not a tar archive, or a damaged one: the header at byte \(offset) fails its checksum")
        }
    }

    /// A numeric header field: octal digits ended by NUL or space, or GNU's
    /// base-256 form (first byte with its high bit set) for large values.
    static func octal(_ header: ArraySlice<UInt8>, field: Range<Int>, name: String, at offset: Int, file: String) throws -> Int {
        let bytes = header[(header.startIndex + field.lowerBound)..<(header.startIndex + field.upperBound)]
        if let first = bytes.first, first & 0x80 != 0 {
            var value = Int(first & 0x7F)
            for byte in bytes.dropFirst() {
                guard value <= Int.max >> 8 else { throw DataError(file: file, "header at byte \(offset): the \(name) is too large") }
                value = value << 8 | Int(byte)
            }
            return value
        }
        let digits = bytes.drop(while: { $0 == UInt8(ascii: " ") }).prefix(while: { $0 != 0 && $0 != UInt8(ascii: " ") })
        guard !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) }) else {
            throw DataError(file: file, "not a tar archive, or a damaged one: the \(name) field of the header at byte \(offset) is not an octal number")
        }
        return digits.reduce(0) { $0 * 8 + Int($1 - UInt8(ascii: "0")) }
    }

    /// `prefix/name` for POSIX ustar headers (magic "ustar\0"), else the name alone.
    static func storedName(_ header: ArraySlice<UInt8>) -> String {
        let base = header.startIndex
        let name = cString(header[base..<(base + 100)])
        let posix = Array(header[(base + 257)..<(base + 263)]) == Array("ustar".utf8) + [0]
        let prefix = posix ? cString(header[(base + 345)..<(base + 500)]) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    static func cString(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    /// pax records "LENGTH KEY=VALUE\n", LENGTH counting the whole record.
    static func paxRecords(_ data: ArraySlice<UInt8>, at offset: Int, file: String) throws -> [String: String] {
        var records: [String: String] = [:]
        var position = data.startIndex
        while position < data.endIndex, data[position] != 0 {
            guard let space = data[position...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: data[position..<space], as: UTF8.self)),
                  length >= space - position + 2, length <= data.endIndex - position else {
                throw DataError(file: file, "pax header at byte \(offset): a record without a valid length")
            }
            let record = data[(space + 1)..<(position + length - 1)]   // without the trailing newline
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                records[String(decoding: record[..<equals], as: UTF8.self)] =
                    String(decoding: record[(equals + 1)...], as: UTF8.self)
            }
            position += length
        }
        return records
    }
}
