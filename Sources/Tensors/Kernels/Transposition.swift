/// Matrix transposition in 32×32 tiles, so both the reads and the writes of
/// a tile stay within a few cache lines (a naive transpose misses on every
/// write of a wide matrix).
public enum Transposition {
    public static let tile = 32

    /// `target[j, i] = source[i, j]` for a `rows × columns` row-major source.
    public static func transpose(_ source: UnsafePointer<Float>, rows: Int, columns: Int, into target: UnsafeMutablePointer<Float>) {
        Parallel.forEachRange(count: rows, grain: tile * 8) { rowRange in
            var i0 = rowRange.lowerBound
            while i0 < rowRange.upperBound {
                let i1 = min(i0 + tile, rowRange.upperBound)
                var j0 = 0
                while j0 < columns {
                    let j1 = min(j0 + tile, columns)
                    for i in i0..<i1 {
                        let from = source + i * columns
                        for j in j0..<j1 { target[j * rows + i] = from[j] }
                    }
                    j0 = j1
                }
                i0 = i1
            }
        }
    }
}
