import Foundation
import Tensors

/// BatchBALD (Kirsch, van Amersfoort & Gal, NeurIPS 2019): greedily grow the
/// batch S by the candidate i maximising the mutual information between the
/// joint prediction of S ∪ {i} and the weights,
/// a(i) = H(y_S, y_i) − Σ_{j ∈ S∪{i}} E_w H(y_j | w).
///
/// The joint entropy runs over configurations of y_S, weighted by the T
/// Monte-Carlo samples: enumerated exactly while C^|S| ≤ `configurations`,
/// estimated from that many configurations sampled from the joint
/// afterwards (the paper's importance-sampling estimator). Products of
/// probabilities are kept per configuration with a separate scale, so Float
/// matrix products never underflow.
public enum BatchBALD {
    public static func select(monteCarlo: Tensor, passes: Int, count: Int, configurations: Int, seed: UInt64) -> [Int] {
        let n = monteCarlo.rowCount
        let classes = monteCarlo.rowWidth / max(1, passes)
        let wanted = min(count, n)
        let expected = UncertaintyScores.expectedEntropy(monteCarlo, passes: passes)
        // probs[i] as [T × C] blocks, the layout of `monteCarlo`'s rows.
        var selected: [Int] = []
        var chosen = [Bool](repeating: false, count: n)
        for step in 0..<wanted {
            let (joint, scales, weights) = configurationsOf(selected, monteCarlo: monteCarlo, passes: passes, classes: classes,
                                                            limit: configurations, seed: seed, step: step)
            let entropies = jointEntropies(joint: joint, scales: scales, weights: weights, monteCarlo: monteCarlo,
                                           passes: passes, classes: classes)
            var best = -1
            var bestValue = -Double.infinity
            for i in 0..<n where !chosen[i] {
                let value = entropies[i] - Double(expected[i])
                if best < 0 || value > bestValue { best = i; bestValue = value }
            }
            selected.append(best)
            chosen[best] = true
        }
        return selected
    }

    /// P̃_S `[T, M]` (each configuration column divided by its scale s_m),
    /// the scales, and each configuration's weight in the entropy sum.
    static func configurationsOf(_ selected: [Int], monteCarlo: Tensor, passes: Int, classes: Int, limit: Int,
                                 seed: UInt64, step: Int) -> (Tensor, [Double], [Double]) {
        let width = passes * classes
        let exactCount = selected.reduce(1.0) { total, _ in total * Double(classes) }
        var columns: [[Int]] = []            // a class per selected point, per configuration
        let exact = exactCount <= Double(limit)
        if exact {
            columns = [[]]
            for _ in selected { columns = columns.flatMap { prefix in (0..<classes).map { prefix + [$0] } } }
        } else {
            var random = RandomStream(seed: seed, purpose: "batchbald-configurations", UInt64(step))
            for _ in 0..<limit {
                let t = random.nextInt(below: passes)
                columns.append(selected.map { j in
                    let row = monteCarlo.scalars[(j * width + t * classes)..<(j * width + (t + 1) * classes)]
                    return draw(Array(row), &random)
                })
            }
        }
        let m = columns.count
        var joint = Tensor(shape: [passes, m])
        var scales = [Double](repeating: 1, count: m)
        var weights = [Double](repeating: 1, count: m)
        for (column, classesOfSelected) in columns.enumerated() {
            var products = [Double](repeating: 1, count: passes)
            for (j, y) in zip(selected, classesOfSelected) {
                for t in 0..<passes { products[t] *= Double(monteCarlo.scalars[j * width + t * classes + y]) }
            }
            let scale = products.max() ?? 1
            scales[column] = scale > 0 ? scale : 1
            var mean = 0.0
            for t in 0..<passes {
                joint.scalars[t * m + column] = Float(products[t] / scales[column])
                mean += products[t]
            }
            mean /= Double(passes)
            // Sampled configurations: importance weight 1 / (M · P(y_S)).
            weights[column] = exact ? 1 : (mean > 0 ? 1 / (Double(m) * mean) : 0)
        }
        return (joint, scales, weights)
    }

    /// H(y_S, y_i) for every candidate i.
    static func jointEntropies(joint: Tensor, scales: [Double], weights: [Double], monteCarlo: Tensor,
                               passes: Int, classes: Int) -> [Double] {
        let n = monteCarlo.rowCount, m = joint.rowWidth
        var result = [Double](repeating: 0, count: n)
        result.withUnsafeMutableBufferPointer { out in
            Parallel.forEachRange(count: n, grain: 64) { range in
                // q[m, (i, y)] = (1/T) Σ_t P̃_S[t, m] · p_i[t, y] for the candidates in range.
                let block = monteCarlo.rows(range).reshaped([range.count * passes, classes])
                var stacked = Tensor(shape: [passes, range.count * classes])
                for (r, _) in range.enumerated() {
                    for t in 0..<passes {
                        for y in 0..<classes {
                            stacked.scalars[t * range.count * classes + r * classes + y] = block.scalars[(r * passes + t) * classes + y]
                        }
                    }
                }
                let q = joint.matmul(stacked, transposeSelf: .transposed)   // [M, range · C]
                for (r, i) in range.enumerated() {
                    var h = 0.0
                    for column in 0..<m {
                        let logScale = log(scales[column])
                        for y in 0..<classes {
                            let value = Double(q.scalars[column * range.count * classes + r * classes + y]) / Double(passes)
                            guard value > 0 else { continue }
                            h -= weights[column] * scales[column] * value * (logScale + log(value))
                        }
                    }
                    out[i] = h
                }
            }
        }
        return result
    }

    static func draw(_ probabilities: [Float], _ random: inout RandomStream) -> Int {
        let total = probabilities.reduce(0.0) { $0 + Double($1) }
        var u = random.nextUniform() * total
        for (c, p) in probabilities.enumerated() {
            u -= Double(p)
            if u < 0 { return c }
        }
        return probabilities.count - 1
    }
}
