// Assembling rows of a large [n, …] dataset from pieces read one span at a
// time (cached blocks or runs of consecutive rows), so a reader of some rows
// never holds the whole dataset.

extension HDF5Array {
    /// The spans of rows to read for `indices` of a dataset of `rowCount`
    /// rows: the blocks `[b·blockRows, (b+1)·blockRows)` that hold any of
    /// them, or with `blockRows` nil the runs of consecutive indices. Sorted, disjoint.
    public static func spans(for indices: [Int], rowCount: Int, blockRows: Int?) -> [Range<Int>] {
        let sorted = Set(indices).sorted()
        var spans: [Range<Int>] = []
        if let blockRows {
            let size = max(1, blockRows)
            var last = -1
            for index in sorted where index / size != last {
                last = index / size
                spans.append((last * size)..<min(rowCount, (last + 1) * size))
            }
        } else {
            for index in sorted {
                if let previous = spans.last, previous.upperBound == index {
                    spans[spans.count - 1] = previous.lowerBound..<(index + 1)
                } else {
                    spans.append(index..<(index + 1))
                }
            }
        }
        return spans
    }

    /// Rows `indices` (in that order, repeats allowed) of a dataset whose
    /// rows have `rowShape`, reading each of `spans` (which must cover every
    /// index) once through `read`; the result is `[indices.count, …rowShape]`.
    public static func gatherRows(_ indices: [Int], elementType: HDF5ElementType, rowShape: [Int], spans: [Range<Int>],
                                  read: (Range<Int>) throws -> HDF5Array) throws -> HDF5Array {
        let rowBytes = rowShape.reduce(1, *) * elementType.byteWidth
        var storage = allocate(elementType, count: indices.count * rowShape.reduce(1, *))
        // Output positions in index order, walked once alongside the spans.
        let order = indices.indices.sorted { indices[$0] < indices[$1] }
        func fill(_ target: UnsafeMutableRawBufferPointer) throws {
            var next = 0
            for span in spans {
                guard next < order.count else { break }
                guard indices[order[next]] < span.upperBound else { continue }
                let piece = try read(span)
                guard piece.elementType == elementType, piece.count == span.count * rowShape.reduce(1, *) else {
                    throw HDF5Error(operation: "gather rows", path: "", message: "a block of rows \(span) has the wrong shape")
                }
                piece.withUnsafeBytes { source in
                    while next < order.count, indices[order[next]] < span.upperBound {
                        let row = indices[order[next]] - span.lowerBound
                        if row >= 0, rowBytes > 0 {
                            (target.baseAddress! + order[next] * rowBytes)
                                .copyMemory(from: source.baseAddress! + row * rowBytes, byteCount: rowBytes)
                        }
                        next += 1
                    }
                }
            }
            guard next == order.count else {
                throw HDF5Error(operation: "gather rows", path: "", message: "row \(indices[order[next]]) lies in no span read")
            }
        }
        try storage.withUnsafeMutableBytes(fill)
        return HDF5Array(storage: storage, shape: [indices.count] + rowShape)
    }
}
