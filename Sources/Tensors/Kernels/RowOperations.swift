import Foundation

/// Row-wise operations on 2-D tensors `[rows, columns]`. Each row is handled
/// by exactly one worker; column reductions run over rows in a fixed order.
extension Tensor {
    /// Rows per parallel block for element-wise passes (independent of workers).
    @usableFromInline static let elementwiseGrain = 4096

    /// `self[i, j] += bias[j]` for every row; with `rectify`,
    /// `self[i, j] = max(self[i, j] + bias[j], 0)` in the same pass (a linear
    /// layer's bias and the ReLU after it, fused for inference).
    public mutating func addRowVector(_ bias: Tensor, rectify: Bool = false) {
        let columns = rowWidth
        precondition(bias.count == columns, "bias has \(bias.count) values for \(columns) columns")
        let rows = rowCount
        bias.scalars.withUnsafeBufferPointer { b in
            scalars.withUnsafeMutableBufferPointer { x in
                let xBase = x.baseAddress!, bBase = b.baseAddress!
                Parallel.forEachRange(count: rows, grain: max(1, Self.elementwiseGrain / max(1, columns / 64))) { range in
                    for i in range {
                        let row = xBase + i * columns
                        if rectify {
                            for j in 0..<columns {
                                let value = row[j] + bBase[j]
                                row[j] = value < 0 ? 0 : value
                            }
                        } else {
                            for j in 0..<columns { row[j] += bBase[j] }
                        }
                    }
                }
            }
        }
    }

    /// Column sums `[columns]` of a tensor viewed as `[rows, columns]`,
    /// accumulated row by row in order (a fixed-order reduction).
    public func columnSums() -> Tensor {
        let columns = rowWidth, rows = rowCount
        var sums = [Float](repeating: 0, count: columns)
        scalars.withUnsafeBufferPointer { x in
            sums.withUnsafeMutableBufferPointer { s in
                // Parallel over column ranges: each column's sum stays in one worker.
                Parallel.forEachRange(count: columns, grain: 256) { range in
                    for i in 0..<rows {
                        let row = x.baseAddress! + i * columns
                        for j in range { s[j] += row[j] }
                    }
                }
            }
        }
        return Tensor(shape: [columns], scalars: sums)
    }

    /// Softmax of each row, computed stably (max subtracted, sums in Double).
    public func softmaxRows() -> Tensor {
        var out = self
        let columns = rowWidth, rows = rowCount
        out.scalars.withUnsafeMutableBufferPointer { x in
            let base = x.baseAddress!
            Parallel.forEachRange(count: rows, grain: 1024) { range in
                for i in range { Self.softmaxInPlace(base + i * columns, columns) }
            }
        }
        return out
    }

    @usableFromInline
    static func softmaxInPlace(_ row: UnsafeMutablePointer<Float>, _ columns: Int) {
        var maximum = -Float.infinity
        for j in 0..<columns { maximum = max(maximum, row[j]) }
        var total = 0.0
        for j in 0..<columns {
            let e = Foundation.exp(Double(row[j] - maximum))
            row[j] = Float(e)
            total += e
        }
        let inverse = 1 / total
        for j in 0..<columns { row[j] = Float(Double(row[j]) * inverse) }
    }

    /// Index of the largest value of each row (the first on ties).
    public func argmaxRows() -> [Int] {
        let columns = rowWidth
        return (0..<rowCount).map { i in
            var best = 0
            var bestValue = scalars[i * columns]
            for j in 1..<max(columns, 1) where scalars[i * columns + j] > bestValue {
                best = j
                bestValue = scalars[i * columns + j]
            }
            return best
        }
    }

    /// Euclidean norm of each row, accumulated in Double.
    public func rowNorms() -> [Float] {
        let columns = rowWidth
        return scalars.withUnsafeBufferPointer { x in
            (0..<rowCount).map { i in
                var sum = 0.0
                for j in 0..<columns { let v = Double(x[i * columns + j]); sum += v * v }
                return Float(sum.squareRoot())
            }
        }
    }

    /// Each row divided by its Euclidean norm (rows of norm 0 stay 0).
    public func normalizedRows() -> Tensor {
        let norms = rowNorms()
        var out = self
        let columns = rowWidth
        for i in 0..<rowCount where norms[i] > 0 {
            let inverse = 1 / norms[i]
            for j in 0..<columns { out.scalars[i * columns + j] *= inverse }
        }
        return out
    }
}

/// Element-wise arithmetic.
extension Tensor {
    /// Applies `transform` to every value (parallel, element-independent).
    @inlinable
    public func map(_ transform: (Float) -> Float) -> Tensor {
        guard count > 0 else { return self }
        return scalars.withUnsafeBufferPointer { x in
            Tensor(shape: shape) { out in
                let source = x.baseAddress!, target = out.baseAddress!
                Parallel.forEachRange(count: x.count, grain: 1 << 16) { range in
                    for i in range { target[i] = transform(source[i]) }
                }
            }
        }
    }

    /// Applies `transform` to every value in place.
    @inlinable
    public mutating func mapInPlace(_ transform: (Float) -> Float) {
        guard count > 0 else { return }
        scalars.withUnsafeMutableBufferPointer { x in
            let base = x.baseAddress!
            Parallel.forEachRange(count: x.count, grain: 1 << 16) { range in
                for i in range { base[i] = transform(base[i]) }
            }
        }
    }

    /// Rectifies in place: every negative value becomes 0 (a tight loop the
    /// compiler vectorises; NaN stays NaN).
    public mutating func rectifyInPlace() {
        guard count > 0 else { return }
        scalars.withUnsafeMutableBufferPointer { x in
            let base = x.baseAddress!
            Parallel.forEachRange(count: x.count, grain: 1 << 16) { range in
                let p = base + range.lowerBound
                // A select, not a branch: signs are random, so a branch mispredicts half the time.
                for i in 0..<range.count { p[i] = p[i] < 0 ? 0 : p[i] }
            }
        }
    }

    /// Multiplies value by value with `other` (same count) in place.
    public mutating func multiplyInPlace(by other: Tensor) {
        precondition(count == other.count, "counts differ: \(count) and \(other.count)")
        guard count > 0 else { return }
        other.scalars.withUnsafeBufferPointer { b in
            scalars.withUnsafeMutableBufferPointer { a in
                for i in a.indices { a[i] *= b[i] }
            }
        }
    }

    /// Combines two tensors of one shape value by value.
    @inlinable
    public func zipMap(_ other: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape || count == other.count, "shapes differ: \(shape) and \(other.shape)")
        guard count > 0 else { return self }
        return scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                Tensor(shape: shape) { out in
                    let left = a.baseAddress!, right = b.baseAddress!, target = out.baseAddress!
                    Parallel.forEachRange(count: a.count, grain: 1 << 16) { range in
                        for i in range { target[i] = combine(left[i], right[i]) }
                    }
                }
            }
        }
    }

    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        precondition(lhs.shape == rhs.shape, "shapes differ: \(lhs.shape) + \(rhs.shape)")
        return lhs.zipMap(rhs, +)
    }

    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        precondition(lhs.shape == rhs.shape, "shapes differ: \(lhs.shape) - \(rhs.shape)")
        return lhs.zipMap(rhs, -)
    }

    public static func * (lhs: Tensor, rhs: Float) -> Tensor {
        lhs.map { $0 * rhs }
    }

    /// Frobenius (Euclidean) norm, accumulated in Double in index order.
    public var norm: Double {
        var sum = 0.0
        for v in scalars { sum += Double(v) * Double(v) }
        return sum.squareRoot()
    }

    /// Sum of all values in Double, in index order.
    public var sum: Double {
        var total = 0.0
        for v in scalars { total += Double(v) }
        return total
    }
}
