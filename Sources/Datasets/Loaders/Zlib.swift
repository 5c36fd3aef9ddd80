import CZlib

/// Inflates deflate data held in memory: zlib streams (RFC 1950: a 2-byte
/// header, deflate data, an Adler-32 check), as MAT files store their
/// compressed variables, or with `windowBits` 15 + 16 the gzip wrapping
/// (`Gzip.decompress`).
enum Zlib {
    /// The complete decompressed content of one stream; `file` names it in errors.
    static func inflate(_ data: ArraySlice<UInt8>, file: String, windowBits: Int32 = 15, format: String = "zlib") throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(file: file, "cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var input = Array(data)
        var output: [UInt8] = []
        output.reserveCapacity(data.count * 2)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        let status: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            var status = Z_OK
            repeat {
                status = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                output += chunk[0..<(chunk.count - Int(stream.avail_out))]
            } while status == Z_OK
            return status
        }
        switch status {
        case Z_STREAM_END: return output
        case Z_BUF_ERROR: throw DataError(file: file, "truncated compressed data: the \(format) stream ends early")
        default: throw DataError(file: file, "damaged \(format) data (zlib status \(status))")
        }
    }
}
