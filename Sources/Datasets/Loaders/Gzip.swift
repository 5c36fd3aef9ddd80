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
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(file: name, "cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var input = data
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let status: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            var status = Z_OK
            repeat {
                status = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output += chunk[0..<produced]
            } while status == Z_OK
            return status
        }
        guard status == Z_STREAM_END else { throw DataError(file: name, "damaged gzip data (zlib status \(status))") }
        return output
    }
}
