import Foundation
import Tensors

/// Per-candidate uncertainty from class probabilities `[n, classes]`.
/// Every score is oriented so that **larger means query first**.
public enum UncertaintyScores {
    /// Shannon entropy H(p) = −Σ p log p, with 0·log 0 = 0 (a probability
    /// that underflowed to 0 contributes nothing, never NaN).
    public static func entropy(_ probabilities: Tensor) -> [Float] {
        rows(probabilities) { row, classes in Float(entropy(row, classes)) }
    }

    /// 1 − max_c p_c (least confidence; the same ranking as DeepAL+'s VarRatio).
    public static func leastConfidence(_ probabilities: Tensor) -> [Float] {
        rows(probabilities) { row, classes in
            var maximum: Float = 0
            for c in 0..<classes { maximum = max(maximum, row[c]) }
            return 1 - maximum
        }
    }

    /// −(p₍₁₎ − p₍₂₎): the negated gap between the two largest probabilities.
    public static func margin(_ probabilities: Tensor) -> [Float] {
        rows(probabilities) { row, classes in
            var first: Float = -1, second: Float = -1
            for c in 0..<classes {
                let p = row[c]
                if p > first { second = first; first = p } else if p > second { second = p }
            }
            return -(first - max(second, 0))
        }
    }

    /// BALD (Houlsby et al. 2011) from Monte-Carlo probabilities
    /// `[n, passes · classes]`: H(mean_t p_t) − mean_t H(p_t), the mutual
    /// information between the prediction and the weights.
    public static func bald(_ monteCarlo: Tensor, passes: Int) -> [Float] {
        monteCarloRows(monteCarlo, passes: passes) { meanEntropy, entropyOfMean in Float(entropyOfMean - meanEntropy) }
    }

    /// The noise-stability code's EntropyBayesian: the expected entropy
    /// mean_t H(p_t) over Monte-Carlo passes (not the entropy of the mean).
    public static func expectedEntropy(_ monteCarlo: Tensor, passes: Int) -> [Float] {
        monteCarloRows(monteCarlo, passes: passes) { meanEntropy, _ in Float(meanEntropy) }
    }

    static func entropy(_ row: UnsafePointer<Float>, _ classes: Int) -> Double {
        var h = 0.0
        for c in 0..<classes where row[c] > 0 {
            let p = Double(row[c])
            h -= p * log(p)
        }
        return h
    }

    static func rows(_ probabilities: Tensor, _ score: (UnsafePointer<Float>, Int) -> Float) -> [Float] {
        let classes = probabilities.rowWidth
        return probabilities.scalars.withUnsafeBufferPointer { p in
            (0..<probabilities.rowCount).map { score(p.baseAddress! + $0 * classes, classes) }
        }
    }

    static func monteCarloRows(_ monteCarlo: Tensor, passes: Int, _ combine: (_ meanEntropy: Double, _ entropyOfMean: Double) -> Float) -> [Float] {
        let width = monteCarlo.rowWidth
        let classes = width / max(1, passes)
        var mean = [Float](repeating: 0, count: classes)
        return monteCarlo.scalars.withUnsafeBufferPointer { p in
            (0..<monteCarlo.rowCount).map { i in
                let row = p.baseAddress! + i * width
                var meanEntropy = 0.0
                var sums = [Double](repeating: 0, count: classes)
                for t in 0..<passes {
                    meanEntropy += entropy(row + t * classes, classes)
                    for c in 0..<classes { sums[c] += Double(row[t * classes + c]) }
                }
                for c in 0..<classes { mean[c] = Float(sums[c] / Double(passes)) }
                let entropyOfMean = mean.withUnsafeBufferPointer { entropy($0.baseAddress!, classes) }
                return combine(meanEntropy / Double(passes), entropyOfMean)
            }
        }
    }
}

/// Ranking helpers.
public enum Ranking {
    /// Indices of the `count` largest scores, largest first; ties go to the
    /// lower index, and NaN ranks below every number.
    public static func top(_ scores: [Float], count: Int) -> [Int] {
        let order = scores.indices.sorted { a, b in
            let (x, y) = (scores[a], scores[b])
            if x.isNaN != y.isNaN { return y.isNaN }
            if x != y && !x.isNaN { return x > y }
            return a < b
        }
        return Array(order.prefix(count))
    }
}
