import CBLAS

/// Whether a GEMM operand is used as stored or transposed.
public enum Transpose: Sendable {
    case none, transposed
}

/// General matrix multiply on row-major `Float` storage:
/// `C[M×N] = alpha · op(A)[M×K] · op(B)[K×N] + beta · C`.
///
/// The fast path calls OpenBLAS `sgemm` (single-threaded) on fixed row
/// blocks of C, run in parallel by `Parallel`. The blocks depend only on
/// (M, N, K), so the bits of C never depend on the worker count.
public enum GEMM {
    /// Rows of C per block for a product of this shape. Small products run
    /// as one block; larger ones as about four balanced blocks (two per core
    /// on this machine) of 64…1024 rows. Each block re-packs B, so blocks stay
    /// large; very tall products get more 1024-row blocks.
    @inlinable
    public static func rowsPerBlock(m: Int, n: Int, k: Int) -> Int {
        if m * n * k < (1 << 21) { return max(m, 1) }
        let quarter = (m + 3) / 4
        let rounded = (quarter + 15) / 16 * 16
        return min(max(rounded, 64), 1024)
    }

    /// - Complexity: O(M·N·K), at close to the machine's `sgemm` rate.
    public static func multiply(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, transposeA: Transpose = .none,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Transpose = .none,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        BLASRuntime.ensureConfigured()
        if k == 0 {
            scale(c, rows: m, columns: n, ldc: ldc, by: beta)
            return
        }
        // Inside a parallel loop the caller has already split the work.
        let rows = Parallel.isNested ? m : rowsPerBlock(m: m, n: n, k: k)
        let transA = transposeA == .none ? CblasNoTrans : CblasTrans
        let transB = transposeB == .none ? CblasNoTrans : CblasTrans
        Parallel.forEachRange(count: m, grain: rows) { range in
            // Row r of op(A) starts at row r of A, or at column r of A when transposed.
            let aStart = transposeA == .none ? a + range.lowerBound * lda : a + range.lowerBound
            cblas_sgemm(CblasRowMajor, transA, transB,
                        Int32(range.count), Int32(n), Int32(k),
                        alpha, aStart, Int32(lda), b, Int32(ldb),
                        beta, c + range.lowerBound * ldc, Int32(ldc))
        }
    }

    private static func scale(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ldc: Int, by beta: Float) {
        for i in 0..<rows {
            for j in 0..<columns { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
        }
    }

    /// The naive triple loop, kept beside the fast kernel as its reference
    /// (accumulates in Double, so it is the more accurate of the two).
    public static func reference(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, transposeA: Transpose = .none,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Transpose = .none,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aValue = transposeA == .none ? a[i * lda + p] : a[p * lda + i]
                    let bValue = transposeB == .none ? b[p * ldb + j] : b[j * ldb + p]
                    sum += Double(aValue) * Double(bValue)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + previous)
            }
        }
    }
}
