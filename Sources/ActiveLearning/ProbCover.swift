import Tensors

/// ProbCover (Yehuda, Dekel, Hacohen & Weinshall, NeurIPS 2022): on the
/// graph with an edge x → y whenever ‖f_x − f_y‖ < δ (self-loops included),
/// greedily pick the candidate covering the most still-uncovered points.
/// Points within δ of a labelled point start covered.
///
/// Departures from the official code, following docs/algorithms.md §9: when no candidate
/// covers anything new, a random unlabelled candidate is taken (the official
/// code would take index 0, possibly a labelled point); the final partial
/// block of graph rows is included.
public enum ProbCover {
    /// The automatic δ of scikit-activeml: k-means with `classes` clusters as
    /// pseudo-labels; purity(δ) = share of points whose δ-ball holds only
    /// points of their own cluster; the largest δ on 0.2, 0.4, …, 2.0 with
    /// purity ≥ α (0.95). If none qualifies, the smallest grid value.
    public static func automaticDelta(features: Tensor, classes: Int, alpha: Double = 0.95, seed: UInt64) -> Double {
        let clusters = KMeans.cluster(features, clusters: classes, seed: seed).assignments
        let n = features.rowCount, d = features.rowWidth
        // For each point, the distance to its nearest point of another cluster: the ball is pure below it.
        var impurity = [Double](repeating: .infinity, count: n)
        features.scalars.withUnsafeBufferPointer { x in
            impurity.withUnsafeMutableBufferPointer { out in
                Parallel.forEachRange(count: n, grain: 256) { range in
                    for i in range {
                        for j in 0..<n where clusters[j] != clusters[i] {
                            out[i] = min(out[i], KCenterGreedy.distance(x.baseAddress! + i * d, x.baseAddress! + j * d, d))
                        }
                    }
                }
            }
        }
        let grid = stride(from: 0.2, through: 2.0001, by: 0.2).map { ($0 * 10).rounded() / 10 }
        var chosen = grid[0]
        for delta in grid {
            let pure = impurity.filter { $0 >= delta }.count
            if Double(pure) / Double(max(1, n)) >= alpha { chosen = delta }
        }
        return chosen
    }

    /// - Parameters:
    ///   - features: `[|L| + n, d]`, labelled points first.
    /// - Returns: candidate indices (0-based among the candidates).
    public static func select(features: Tensor, labeledCount: Int, count: Int, delta: Double, seed: UInt64) -> [Int] {
        let total = features.rowCount, d = features.rowWidth
        let wanted = min(count, total - labeledCount)
        guard wanted > 0 else { return [] }
        // Out-neighbours of every point (the graph is symmetric, so these are also in-neighbours).
        var neighbours = [[Int32]](repeating: [], count: total)
        features.scalars.withUnsafeBufferPointer { x in
            neighbours.withUnsafeMutableBufferPointer { out in
                Parallel.forEachRange(count: total, grain: 128) { range in
                    for i in range {
                        out[i] = (0..<total).compactMap { j in
                            KCenterGreedy.distance(x.baseAddress! + i * d, x.baseAddress! + j * d, d) < delta ? Int32(j) : nil
                        }
                    }
                }
            }
        }
        var covered = [Bool](repeating: false, count: total)
        for l in 0..<labeledCount { for j in neighbours[l] { covered[Int(j)] = true } }
        var degree = (0..<total).map { i in neighbours[i].filter { !covered[Int($0)] }.count }
        var taken = [Bool](repeating: false, count: total)
        var random = RandomStream(seed: seed, purpose: "probcover-fallback")
        var picks: [Int] = []
        while picks.count < wanted {
            var best = -1
            for i in labeledCount..<total where !taken[i] && (best < 0 || degree[i] > degree[best]) { best = i }
            if best < 0 { break }
            if degree[best] == 0 {
                let free = (labeledCount..<total).filter { !taken[$0] }
                best = free[random.nextInt(below: free.count)]
            }
            picks.append(best - labeledCount)
            taken[best] = true
            for j in neighbours[best] where !covered[Int(j)] {
                covered[Int(j)] = true
                // j is no longer uncovered: every point with an edge to j loses one.
                for source in neighbours[Int(j)] { degree[Int(source)] -= 1 }
            }
        }
        return picks
    }
}
