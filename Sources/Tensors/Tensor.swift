/// A dense, row-major array of `Float` with a shape.
///
/// Storage is a Swift array (copy-on-write), so tensors are values: passing
/// one around never aliases mutable memory. Shape mismatches are programming
/// errors and trap; user data is validated before it becomes a tensor.
public struct Tensor: Equatable, Sendable {
    public private(set) var shape: [Int]
    public var scalars: [Float]

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor of the given shape over existing values.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count, "shape \(shape) does not hold \(scalars.count) values")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor whose values are written by `initializer`, which must set every
    /// one of the `count` values (skips zero-filling large output buffers).
    public init(shape: [Int], unsafeUninitialized initializer: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        self.shape = shape
        self.scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            initializer(buffer)
            initialized = count
        }
    }

    /// A 2-D tensor from nested rows (for tests and small literals).
    public init(rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "ragged rows")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// Size of the first dimension (the batch or sample axis).
    public var rowCount: Int { shape.first ?? 1 }

    /// Number of values per row (product of all dimensions but the first).
    public var rowWidth: Int { shape.dropFirst().reduce(1, *) }

    /// The same values viewed with another shape of equal size.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Rows `indices` of the first axis, in that order.
    public func gatherRows(_ indices: [Int]) -> Tensor {
        let width = rowWidth
        var out = [Float](repeating: 0, count: indices.count * width)
        scalars.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < rowCount, "row \(index) out of range 0..<\(rowCount)")
                    (target.baseAddress! + row * width).update(from: source.baseAddress! + index * width, count: width)
                }
            }
        }
        return Tensor(shape: [indices.count] + shape.dropFirst(), scalars: out)
    }

    /// Consecutive rows `range` of the first axis.
    public func rows(_ range: Range<Int>) -> Tensor {
        let width = rowWidth
        return Tensor(shape: [range.count] + shape.dropFirst(),
                      scalars: Array(scalars[(range.lowerBound * width)..<(range.upperBound * width)]))
    }

    /// Row `index` of a 2-D tensor as an array.
    public func row(_ index: Int) -> [Float] {
        let width = rowWidth
        return Array(scalars[(index * width)..<((index + 1) * width)])
    }

    /// Rows of several tensors with equal trailing shape, stacked.
    public static func concatenateRows(_ parts: [Tensor]) -> Tensor {
        guard let first = parts.first else { return Tensor(shape: [0]) }
        let tail = Array(first.shape.dropFirst())
        precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == tail }, "row shapes differ")
        let rows = parts.reduce(0) { $0 + $1.rowCount }
        var values: [Float] = []
        values.reserveCapacity(rows * first.rowWidth)
        for part in parts { values += part.scalars }
        return Tensor(shape: [rows] + tail, scalars: values)
    }

    /// The transpose of a 2-D tensor (cache-blocked; see `Transposition`).
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a 2-D tensor")
        let (r, c) = (shape[0], shape[1])
        guard r > 0, c > 0 else { return Tensor(shape: [c, r]) }
        return scalars.withUnsafeBufferPointer { source in
            Tensor(shape: [c, r]) { target in
                Transposition.transpose(source.baseAddress!, rows: r, columns: c, into: target.baseAddress!)
            }
        }
    }
}

extension Tensor {
    /// `self[rows] · op(other)`, reading rows `rows` of `self` (viewed as
    /// `[rowCount, rowWidth]`) in place.
    public func matmul(rows: Range<Int>, _ other: Tensor, transposeOther: Transpose = .none) -> Tensor {
        let k = rowWidth
        let n = transposeOther == .none ? other.shape[1] : other.shape[0]
        precondition(k == (transposeOther == .none ? other.shape[0] : other.shape[1]), "matmul inner dimensions differ")
        guard rows.count > 0, n > 0, k > 0 else { return Tensor(shape: [rows.count, n]) }
        return scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                Tensor(shape: [rows.count, n]) { c in
                    GEMM.multiply(m: rows.count, n: n, k: k,
                                  a: a.baseAddress! + rows.lowerBound * k, lda: k,
                                  b: b.baseAddress!, ldb: other.shape[1], transposeB: transposeOther,
                                  c: c.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// `self[:, columns] · other` for a 2-D `self`, reading the column block
    /// in place (a strided operand; no copy).
    public func matmul(columns: Range<Int>, _ other: Tensor) -> Tensor {
        let width = rowWidth, m = rowCount
        let n = other.shape[1]
        precondition(columns.count == other.shape[0], "matmul inner dimensions differ")
        guard m > 0, n > 0, columns.count > 0 else { return Tensor(shape: [m, n]) }
        return scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                Tensor(shape: [m, n]) { c in
                    GEMM.multiply(m: m, n: n, k: columns.count,
                                  a: a.baseAddress! + columns.lowerBound, lda: width,
                                  b: b.baseAddress!, ldb: n, c: c.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// Matrix product of 2-D tensors: `op(self) · op(other)` through `GEMM`.
    public func matmul(_ other: Tensor, transposeSelf: Transpose = .none, transposeOther: Transpose = .none) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul needs 2-D tensors")
        let m = transposeSelf == .none ? shape[0] : shape[1]
        let k = transposeSelf == .none ? shape[1] : shape[0]
        let k2 = transposeOther == .none ? other.shape[0] : other.shape[1]
        let n = transposeOther == .none ? other.shape[1] : other.shape[0]
        precondition(k == k2, "matmul inner dimensions differ: \(shape) · \(other.shape)")
        guard m > 0, n > 0, k > 0 else { return Tensor(shape: [m, n]) }
        return scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                Tensor(shape: [m, n]) { c in
                    GEMM.multiply(m: m, n: n, k: k,
                                  a: a.baseAddress!, lda: shape[1], transposeA: transposeSelf,
                                  b: b.baseAddress!, ldb: other.shape[1], transposeB: transposeOther,
                                  c: c.baseAddress!, ldc: n)
                }
            }
        }
    }
}
