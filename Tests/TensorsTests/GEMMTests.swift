import Tensors
import Testing

@Suite struct GEMMTests {
    /// A small deterministic generator so this test does not depend on the library's streams.
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 500
        }
    }

    @Test(arguments: [
        (7, 5, 3, Transpose.none, Transpose.none),
        (64, 33, 129, .transposed, .none),
        (130, 70, 257, .none, .transposed),
        (300, 9, 40, .transposed, .transposed),
    ])
    func blasMatchesNaiveLoop(m: Int, n: Int, k: Int, ta: Transpose, tb: Transpose) {
        let a = Self.values(m * k, seed: 1)
        let b = Self.values(k * n, seed: 2)
        let c0 = Self.values(m * n, seed: 3)
        let lda = ta == .none ? k : m
        let ldb = tb == .none ? n : k
        var fast = c0, slow = c0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                fast.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(m: m, n: n, k: k, alpha: 0.5, a: a.baseAddress!, lda: lda, transposeA: ta,
                                  b: b.baseAddress!, ldb: ldb, transposeB: tb, beta: 2, c: c.baseAddress!, ldc: n)
                }
                slow.withUnsafeMutableBufferPointer { c in
                    GEMM.reference(m: m, n: n, k: k, alpha: 0.5, a: a.baseAddress!, lda: lda, transposeA: ta,
                                   b: b.baseAddress!, ldb: ldb, transposeB: tb, beta: 2, c: c.baseAddress!, ldc: n)
                }
            }
        }
        let worst = zip(fast, slow).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst < 1e-4, "largest relative difference \(worst)")
    }
}
