import Tensors

/// Lloyd's k-means with k-means++ initialisation, deterministic from a
/// random stream: assignments use ‖x − c‖² = ‖x‖² − 2x·c + ‖c‖² through one
/// matrix product per iteration; ties go to the lower centre index.
public enum KMeans {
    public struct Result: Sendable {
        public var centers: Tensor
        public var assignments: [Int]
    }

    /// - Complexity: O(iterations · n · k · d).
    public static func cluster(_ points: Tensor, clusters k: Int, seed: UInt64, maxIterations: Int = 100) -> Result {
        let n = points.rowCount, d = points.rowWidth
        let k = max(1, min(k, n))
        var random = RandomStream(seed: seed, purpose: "kmeans-init")
        var centers = plusPlus(points, k, &random)
        var assignments = [Int](repeating: -1, count: n)
        let pointNorms = points.rowNorms().map { Double($0) * Double($0) }
        for _ in 0..<maxIterations {
            let products = points.matmul(centers, transposeOther: .transposed)   // [n, k]
            let centerNorms = centers.rowNorms().map { Double($0) * Double($0) }
            var changed = false
            for i in 0..<n {
                var best = 0
                var bestDistance = Double.infinity
                for j in 0..<k {
                    let distance = pointNorms[i] - 2 * Double(products.scalars[i * k + j]) + centerNorms[j]
                    if distance < bestDistance { best = j; bestDistance = distance }
                }
                if assignments[i] != best { assignments[i] = best; changed = true }
            }
            // Recompute centres (in point order); an empty cluster keeps its centre.
            var sums = [Double](repeating: 0, count: k * d)
            var counts = [Int](repeating: 0, count: k)
            for i in 0..<n {
                counts[assignments[i]] += 1
                for j in 0..<d { sums[assignments[i] * d + j] += Double(points.scalars[i * d + j]) }
            }
            for c in 0..<k where counts[c] > 0 {
                for j in 0..<d { centers.scalars[c * d + j] = Float(sums[c * d + j] / Double(counts[c])) }
            }
            if !changed { break }
        }
        return Result(centers: centers, assignments: assignments)
    }

    /// k-means++ seeding (Arthur & Vassilvitskii 2007).
    static func plusPlus(_ points: Tensor, _ k: Int, _ random: inout RandomStream) -> Tensor {
        let n = points.rowCount, d = points.rowWidth
        var chosen = [random.nextInt(below: n)]
        var nearest = [Double](repeating: .infinity, count: n)
        points.scalars.withUnsafeBufferPointer { x in
            while chosen.count < k {
                let last = x.baseAddress! + chosen[chosen.count - 1] * d
                for i in 0..<n {
                    let distance = KCenterGreedy.distance(x.baseAddress! + i * d, last, d)
                    nearest[i] = min(nearest[i], distance * distance)
                }
                let total = nearest.reduce(0, +)
                var next = chosen.count < n ? (0..<n).first { !chosen.contains($0) } ?? 0 : 0
                if total > 0 {
                    var u = random.nextUniform() * total
                    for i in 0..<n where nearest[i] > 0 {
                        u -= nearest[i]
                        next = i
                        if u < 0 { break }
                    }
                }
                chosen.append(next)
            }
        }
        return points.gatherRows(chosen)
    }
}
