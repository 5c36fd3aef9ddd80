import Tensors

/// BADGE (Ash et al., ICLR 2020): k-means++ seeding on the last layer's
/// gradient embeddings g(x) = (e_ŷ − p(x)) ⊗ h(x), with ŷ the predicted class.
///
/// g is never formed: with a = e_ŷ − p, ‖g_i − g_j‖² = ‖a_i‖²‖h_i‖² +
/// ‖a_j‖²‖h_j‖² − 2(a_i·a_j)(h_i·h_j) (the official code's speed-up), so a
/// distance costs O(C + d) instead of O(C·d).
public enum BADGE {
    /// The factors a = e_ŷ − p `[n, C]` of the gradient embeddings.
    public static func classFactors(probabilities: Tensor) -> Tensor {
        var a = probabilities * -1
        let predicted = probabilities.argmaxRows()
        let classes = probabilities.rowWidth
        for (i, c) in predicted.enumerated() { a.scalars[i * classes + c] += 1 }
        return a
    }

    /// ‖g_i − g_j‖² through the factor identity (clipped at 0).
    @inline(__always)
    static func squaredDistance(_ i: Int, _ j: Int, _ a: UnsafePointer<Float>, _ h: UnsafePointer<Float>,
                                _ c: Int, _ d: Int, _ norms: [Double]) -> Double {
        var aa = 0.0, hh = 0.0
        for k in 0..<c { aa += Double(a[i * c + k]) * Double(a[j * c + k]) }
        for k in 0..<d { hh += Double(h[i * d + k]) * Double(h[j * d + k]) }
        return max(0, norms[i] + norms[j] - 2 * aa * hh)
    }

    /// k-means++ seeding: the first centre is the largest ‖g‖ (ties: lower
    /// index); each next centre is drawn with probability D(x)²/ΣD², D the
    /// distance to the nearest centre chosen so far (draws from stream
    /// (`seed`, "badge" step)). If every remaining D is 0, the lowest
    /// unchosen index is taken.
    public static func select(classFactors a: Tensor, embeddings h: Tensor, count: Int, seed: UInt64) -> [Int] {
        let n = a.rowCount, c = a.rowWidth, d = h.rowWidth
        let wanted = min(count, n)
        guard wanted > 0 else { return [] }
        return a.scalars.withUnsafeBufferPointer { aBuffer in
            h.scalars.withUnsafeBufferPointer { hBuffer in
                let (ap, hp) = (aBuffer.baseAddress!, hBuffer.baseAddress!)
                // ‖g_i‖² = ‖a_i‖²·‖h_i‖²
                let norms = (0..<n).map { i -> Double in
                    var aa = 0.0, hh = 0.0
                    for k in 0..<c { aa += Double(ap[i * c + k]) * Double(ap[i * c + k]) }
                    for k in 0..<d { hh += Double(hp[i * d + k]) * Double(hp[i * d + k]) }
                    return aa * hh
                }
                var first = 0
                for i in 1..<n where norms[i] > norms[first] { first = i }
                var picks = [first]
                var chosen = [Bool](repeating: false, count: n)
                chosen[first] = true
                var nearest = [Double](repeating: .infinity, count: n)
                while picks.count < wanted {
                    let last = picks[picks.count - 1]
                    nearest.withUnsafeMutableBufferPointer { nearestBuffer in
                        Parallel.forEachRange(count: n, grain: 2048) { range in
                            for i in range {
                                nearestBuffer[i] = chosen[i] ? 0 : min(nearestBuffer[i], squaredDistance(i, last, ap, hp, c, d, norms))
                            }
                        }
                    }
                    let total = nearest.reduce(0, +)
                    var next = -1
                    if total > 0 {
                        var random = RandomStream(seed: seed, purpose: "badge", UInt64(picks.count))
                        var u = random.nextUniform() * total
                        for i in 0..<n where nearest[i] > 0 {
                            u -= nearest[i]
                            next = i
                            if u < 0 { break }
                        }
                    }
                    if next < 0 || chosen[next] { next = chosen.firstIndex(of: false) ?? 0 }
                    picks.append(next)
                    chosen[next] = true
                }
                return picks
            }
        }
    }
}
