import Tensors

/// TypiClust (Hacohen, Dekel & Weinshall, ICML 2022; the official
/// `typiclust.py`): cluster labelled ∪ candidate points into
/// min(|L| + B, 500) clusters, visit clusters in order of (fewest labelled
/// points, then largest size), skipping clusters of ≤ 5 points, and from
/// each take its most typical still-unlabelled member.
///
/// Typicality(x) = 1 / (mean squared distance to its k nearest neighbours
/// in the cluster's unlabelled members + 1e-5), k = min(20, ⌊m/2⌋) — squared
/// because faiss's IndexFlatL2 returns squared distances.
/// Departures: features are whatever the score stage provides (the model's
/// L2-normalised penultimate features stand in for SimCLR); Lloyd's k-means
/// is used for every k (the reference switches to MiniBatchKMeans above 50
/// clusters for speed only); a cluster with one member yields that member;
/// an exhausted cluster is passed over.
public enum TypiClust {
    public static let maxClusters = 500
    public static let minimumClusterSize = 5
    public static let neighbours = 20

    /// - Parameters:
    ///   - features: `[|L| + n, d]`, the labelled points first, then the candidates.
    ///   - labeledCount: |L|.
    /// - Returns: candidate indices (0-based among the candidates).
    public static func select(features: Tensor, labeledCount: Int, count: Int, seed: UInt64) -> [Int] {
        let total = features.rowCount
        let candidates = total - labeledCount
        let wanted = min(count, candidates)
        guard wanted > 0 else { return [] }
        let k = min(labeledCount + wanted, maxClusters, total)
        let assignments = KMeans.cluster(features, clusters: k, seed: seed).assignments
        var sizes = [Int](repeating: 0, count: k), labeled = [Int](repeating: 0, count: k)
        for (i, cluster) in assignments.enumerated() {
            sizes[cluster] += 1
            if i < labeledCount { labeled[cluster] += 1 }
        }
        let order = (0..<k).filter { sizes[$0] > minimumClusterSize }
            .sorted { (labeled[$0], -sizes[$0], $0) < (labeled[$1], -sizes[$1], $1) }
        var available = assignments.enumerated().map { $0.offset >= labeledCount }
        var picks: [Int] = []
        var visit = 0
        var idleVisits = 0
        while picks.count < wanted, !order.isEmpty, idleVisits < order.count {
            let cluster = order[visit % order.count]
            visit += 1
            let members = (0..<total).filter { available[$0] && assignments[$0] == cluster }
            guard let best = mostTypical(members, features) else { idleVisits += 1; continue }
            idleVisits = 0
            picks.append(best - labeledCount)
            available[best] = false
        }
        // Too few clusters large enough: fill with the remaining candidates in order.
        for i in labeledCount..<total where picks.count < wanted && available[i] {
            picks.append(i - labeledCount)
            available[i] = false
        }
        return picks
    }

    static func mostTypical(_ members: [Int], _ features: Tensor) -> Int? {
        guard let first = members.first else { return nil }
        guard members.count > 1 else { return first }
        let k = max(1, min(neighbours, members.count / 2))
        let d = features.rowWidth
        var best = first
        var bestTypicality = -Double.infinity
        features.scalars.withUnsafeBufferPointer { x in
            for i in members {
                var distances = members.compactMap { j -> Double? in
                    guard j != i else { return nil }
                    let distance = KCenterGreedy.distance(x.baseAddress! + i * d, x.baseAddress! + j * d, d)
                    return distance * distance
                }
                distances.sort()
                let mean = distances.prefix(k).reduce(0, +) / Double(k)
                let typicality = 1 / (mean + 1e-5)
                if typicality > bestTypicality { best = i; bestTypicality = typicality }
            }
        }
        return best
    }
}
