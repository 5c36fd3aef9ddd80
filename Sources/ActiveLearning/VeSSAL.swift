import Tensors

/// VeSSAL (Saran et al., ICML 2023; the official `vessal.py`): streaming
/// volume sampling. Candidates are visited once, in a random order; each is
/// accepted with probability min(1, ζ·uᵀA⁻¹u), where A⁻¹ starts at s·I
/// (s = 100), and ζ = ((B − |S|)/(n − t)) / tr(ΣA⁻¹) adapts the rate to the
/// budget with Σ the running second moment of the stream. An acceptance
/// updates A⁻¹ by Sherman–Morrison. Too many acceptances keep the first B;
/// too few are filled at random.
///
/// Cost: tr(ΣA⁻¹) is kept up to date incrementally — O(1) per step while A⁻¹
/// is unchanged and O(t·D) per acceptance — so a step costs one O(D²)
/// product instead of the reference's O(D³) matrix product.
public enum VeSSAL {
    public static let inverseScale = 100.0

    /// Rank-1 expected gradient embeddings with class-aligned blocks:
    /// block c is h·(1 − p_c) for the predicted class and −h·p_c otherwise,
    /// all times √p_top. (The official code orders blocks by sorted
    /// probability; class order is the principled choice.)
    public static func gradientEmbeddings(probabilities: Tensor, embeddings h: Tensor) -> Tensor {
        let n = h.rowCount, d = h.rowWidth, c = probabilities.rowWidth
        let predicted = probabilities.argmaxRows()
        var out = Tensor(shape: [n, c * d])
        for i in 0..<n {
            let top = predicted[i]
            let scale = Double(probabilities.scalars[i * c + top]).squareRoot()
            for k in 0..<c {
                let p = Double(probabilities.scalars[i * c + k])
                let factor = scale * (k == top ? 1 - p : -p)
                for j in 0..<d { out.scalars[i * c * d + k * d + j] = Float(factor * Double(h.scalars[i * d + j])) }
            }
        }
        return out
    }

    public static func select(embeddings: Tensor, count: Int, seed: UInt64) -> [Int] {
        let n = embeddings.rowCount, dim = embeddings.rowWidth
        let wanted = min(count, n)
        guard wanted > 0 else { return [] }
        var random = RandomStream(seed: seed, purpose: "vessal")
        let order = random.permutation(n)
        var inverse = [Double](repeating: 0, count: dim * dim)
        for i in 0..<dim { inverse[i * dim + i] = inverseScale }
        var trace = 0.0                 // tr(Σ_t A⁻¹)
        var seen: [Int] = []            // stream so far: Σ_t = (1/t) Σ_s u_s u_sᵀ
        var accepted: [Int] = []
        var u = [Double](repeating: 0, count: dim), w = [Double](repeating: 0, count: dim)
        for (t, index) in order.enumerated() {
            for j in 0..<dim { u[j] = Double(embeddings.scalars[index * dim + j]) }
            multiply(inverse, u, into: &w, dim)                         // w = A⁻¹u
            var q = 0.0
            for j in 0..<dim { q += u[j] * w[j] }
            // Σ_{t+1} = (t/(t+1)) Σ_t + u uᵀ/(t+1)
            trace = (Double(t) * trace + q) / Double(t + 1)
            seen.append(index)
            let zeta = trace > 0 ? (Double(wanted - accepted.count) / Double(n - t)) / trace : 0
            guard accepted.count < wanted, random.nextUniform() < min(1, zeta * q) else { continue }
            accepted.append(index)
            // A⁻¹ ← A⁻¹ − w wᵀ/(1 + q), and tr(ΣA⁻¹) falls by wᵀΣw/(1 + q).
            var sigmaQuadratic = 0.0
            for s in seen {
                var projection = 0.0
                for j in 0..<dim { projection += Double(embeddings.scalars[s * dim + j]) * w[j] }
                sigmaQuadratic += projection * projection
            }
            sigmaQuadratic /= Double(seen.count)
            trace -= sigmaQuadratic / (1 + q)
            for r in 0..<dim {
                let factor = w[r] / (1 + q)
                for cIndex in 0..<dim { inverse[r * dim + cIndex] -= factor * w[cIndex] }
            }
        }
        var picks = accepted
        if picks.count < wanted {
            let taken = Set(picks)
            let rest = (0..<n).filter { !taken.contains($0) }
            picks += random.sample(rest, count: wanted - picks.count)
        }
        return picks
    }

    private static func multiply(_ matrix: [Double], _ vector: [Double], into result: inout [Double], _ dim: Int) {
        matrix.withUnsafeBufferPointer { m in
            vector.withUnsafeBufferPointer { v in
                result.withUnsafeMutableBufferPointer { out in
                    Parallel.forEachRange(count: dim, grain: 128) { rows in
                        for r in rows {
                            var sum = 0.0
                            let row = m.baseAddress! + r * dim
                            for j in 0..<dim { sum += row[j] * v[j] }
                            out[r] = sum
                        }
                    }
                }
            }
        }
    }
}
