import CZlib

/// Reads files that may or may not be gzip-compressed (zlib's `gzread`
/// passes plain files through unchanged), and inflates gzip data in memory.
public enum Gzip {
    /// The whole (decompressed) content of `path`.
    public static func readFile(_ path: String, limit: Int = 1 << 31) throws -> [UInt8] {
        guard let file = gzopen(path, "rb") else {
            throw DataError(file: path, "cannot open the file (does it exist, and is it readable?)")
        }
        defer { gzclose(file) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if read < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
                throw DataError(file: path, "cannot read the file: \(message)")
            }
            if read == 0 { break }
            result += chunk[0..<Int(read)]
            if result.count > limit { throw DataError(file: path, "the file is larger than \(limit) bytes") }
        }
        // gzread stops early at a truncated gzip stream; zlib records it as an error.
        var code: Int32 = 0
        _ = gzerror(file, &code)
        if code != Z_OK && code != Z_STREAM_END {
            throw DataError(file: path, "the compressed data is damaged or truncated")
        }
        return result
    }

    /// Inflates a complete gzip stream held in memory.
    public static func decompress(_ data: [UInt8], name: String = "<memory>") throws -> [UInt8] {
        try Zlib.inflate(data[...], file: name, windowBits: 15 + 16, format: "gzip")
    }
}
