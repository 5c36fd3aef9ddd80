import CZlib

/// Inflates zlib streams (RFC 1950: a 2-byte header, deflate data, an Adler-32
/// check) held in memory, as MAT files store their compressed variables.
/// `Gzip` handles the gzip wrapping of the same deflate data.
enum Zlib {
    /// The complete decompressed content of one zlib stream; `file` names it in errors.
    static func inflate(_ data: ArraySlice<UInt8>, file: String) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
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
        case Z_BUF_ERROR: throw DataError(file: file, "truncated compressed data: the zlib stream ends early")
        default: throw DataError(file: file, "damaged compressed data (zlib status \(status))")
        }
    }
}
