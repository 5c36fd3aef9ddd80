import HDF5

extension ArtifactFile {
    /// Objects with at least this many bytes of arrays (or any streamed
    /// array) are written straight to their file rather than built in memory first.
    static let inMemoryLimit = 64 << 20

    /// Writes the object to a new file at `path` array by array (streamed
    /// arrays block by block, chunked and unfiltered so that any rows read
    /// back directly), computing the payload digest on the way; returns it.
    /// The digest attribute is written last, as in `image`.
    static func writeStreaming(_ header: ArtifactHeader, _ content: ArtifactContent, to path: String) throws -> String {
        let file = try HDF5File.create(at: path, overwrite: false)
        do {
            // Room for every array (deflate never grows data by more than a
            // fraction of a percent) plus the library's own structures.
            let payload = ObjectCache.bytes(content)
                + content.streamed.values.reduce(0) { $0 + $1.shape.reduce(1, *) * $1.elementType.byteWidth }
            try file.reserve(bytes: payload + payload / 64 + (1 << 20) + (content.arrays.count + content.streamed.count) * (64 << 10))
            return try writeStreaming(header, content, into: file, path: path)
        } catch {
            // Space is reserved first, so a failure normally leaves only small
            // metadata to write; if even that fails, the file is abandoned.
            do { try file.close() } catch { file.abandon() }
            throw error
        }
    }

    private static func writeStreaming(_ header: ArtifactHeader, _ content: ArtifactContent, into file: HDF5File, path: String) throws -> String {
        let root = try file.root()
        let data = try root.createGroup("data")
        var digest = PayloadDigester()
        for name in Set(content.arrays.keys).union(content.streamed.keys).sorted() {
            if let array = content.arrays[name] {
                try data.write(array, at: name, options: CompressionChoice.options(for: array))
                digest.beginArray(name, elementType: array.elementType, shape: array.shape)
                digest.update(array)
            } else if let streamed = content.streamed[name], let rows = streamed.shape.first {
                let rowBytes = max(1, streamed.shape.dropFirst().reduce(1, *) * streamed.elementType.byteWidth)
                let chunk = [max(1, min(rows, (1 << 20) / rowBytes))] + streamed.shape.dropFirst()
                try data.createDataset(name, elementType: streamed.elementType, shape: streamed.shape,
                                       options: HDF5DatasetOptions(chunkShape: chunk))
                digest.beginArray(name, elementType: streamed.elementType, shape: streamed.shape)
                var start = 0
                while start < rows {
                    let end = min(rows, start + streamed.blockRows)
                    let block = try streamed.block(start..<end)
                    guard block.elementType == streamed.elementType, block.shape == [end - start] + streamed.shape.dropFirst() else {
                        throw StoreError.writeFailed(path: path, reason: "rows \(start)..<\(end) of '\(name)' came as \(block.shape)")
                    }
                    try data.writeRows(block, at: name, start: start)
                    digest.update(block)
                    start = end
                }
            }
        }
        let payloadDigest = digest.finish(attributes: content.attributes)
        var header = header
        header.payloadDigest = payloadDigest
        for (name, value) in content.attributes.sorted(by: { $0.key < $1.key }) { try data.setAttribute(name, value) }
        try writeRootAttributes(root, header)
        try file.closeTrimmed()
        return payloadDigest
    }
}
