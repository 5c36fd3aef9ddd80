import Foundation
import Tensors

/// Representer points of the last layer (Yeh, Kim, Yen & Ravikumar,
/// NeurIPS 2018; `compute_representer_vals.py`). The last layer is refit to
/// reproduce the network's own soft outputs under L2 regularisation,
///   W* = argmin_W (1/n) Σᵢ CE(softmax(fᵢW), yᵢ) + λ‖W‖²,
/// by full-batch gradient descent with backtracking (initial step 10,
/// halved until L(W − s∇) ≤ L(W) − ½·s·‖∇‖²), at most 3000 iterations,
/// stopping once mean|∇| falls below 1/200 of its first value and keeping
/// the iterate with the smallest mean|∇|. Then αᵢ = (yᵢ − softmax(fᵢW*))/(2λn)
/// and every logit decomposes as Φ(x_t) = Σᵢ αᵢ⟨fᵢ, f_t⟩ (stationarity).
public enum RepresenterPoints {
    public struct Fit: Sendable {
        /// `[d + 1, C]`.
        public var weights: [[Double]]
        /// `[n, C]` representer coefficients.
        public var alphas: [[Double]]
        public var iterations: Int
    }

    /// - Parameters:
    ///   - features: `[n, d + 1]` rows fᵢ = [hᵢ; 1].
    ///   - targets: `[n, C]` soft labels (the network's softmax outputs).
    ///   - initial: `[d + 1, C]` starting weights (the trained layer).
    public static func fit(features: [[Double]], targets: [[Double]], initial: [[Double]], lambda: Double = 0.003,
                           maxIterations: Int = 3000) -> Fit {
        let n = features.count, classes = initial.first?.count ?? 0
        var weights = initial
        var (loss, gradient) = lossAndGradient(features, targets, weights, lambda)
        let firstMean = meanAbsolute(gradient)
        var best = (weights, firstMean)
        var iterations = 0
        while iterations < maxIterations {
            let mean = meanAbsolute(gradient)
            if mean < best.1 { best = (weights, mean) }
            if mean < firstMean / 200 { break }
            let squared = gradient.reduce(0.0) { $0 + $1.reduce(0) { $0 + $1 * $1 } }
            var step = 10.0
            var candidate = weights
            var candidateLoss = loss
            repeat {
                candidate = zip(weights, gradient).map { zip($0, $1).map { $0 - step * $1 } }
                candidateLoss = lossAndGradient(features, targets, candidate, lambda, lossOnly: true).0
                step /= 2
            } while candidateLoss > loss - 0.5 * (step * 2) * squared && step > 1e-12
            weights = candidate
            (loss, gradient) = lossAndGradient(features, targets, weights, lambda)
            iterations += 1
        }
        if meanAbsolute(gradient) < best.1 { best = (weights, meanAbsolute(gradient)) }
        weights = best.0
        let alphas = features.enumerated().map { i, f -> [Double] in
            let p = softmax(logits(f, weights))
            return (0..<classes).map { (targets[i][$0] - p[$0]) / (2 * lambda * Double(n)) }
        }
        return Fit(weights: weights, alphas: alphas, iterations: iterations)
    }

    /// Φ(x_t) = Σᵢ αᵢ ⟨fᵢ, f_t⟩, the logits rebuilt from representer values.
    public static func logits(of target: [Double], features: [[Double]], alphas: [[Double]]) -> [Double] {
        var result = [Double](repeating: 0, count: alphas.first?.count ?? 0)
        for (f, alpha) in zip(features, alphas) {
            let inner = zip(f, target).reduce(0.0) { $0 + $1.0 * $1.1 }
            for c in result.indices { result[c] += alpha[c] * inner }
        }
        return result
    }

    static func logits(_ f: [Double], _ w: [[Double]]) -> [Double] {
        let classes = w.first?.count ?? 0
        return (0..<classes).map { c in zip(f, w).reduce(0.0) { $0 + $1.0 * $1.1[c] } }
    }

    public static func softmax(_ z: [Double]) -> [Double] {
        let top = z.max() ?? 0
        let e = z.map { exp($0 - top) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    static func meanAbsolute(_ g: [[Double]]) -> Double {
        let count = g.reduce(0) { $0 + $1.count }
        return g.reduce(0.0) { $0 + $1.reduce(0) { $0 + abs($1) } } / Double(max(1, count))
    }

    static func lossAndGradient(_ features: [[Double]], _ targets: [[Double]], _ w: [[Double]], _ lambda: Double,
                                lossOnly: Bool = false) -> (Double, [[Double]]) {
        let n = Double(features.count)
        var loss = 0.0
        var gradient = w.map { $0.map { _ in 0.0 } }
        for (f, y) in zip(features, targets) {
            let p = softmax(logits(f, w))
            for c in p.indices where y[c] > 0 { loss -= y[c] * log(max(p[c], 1e-300)) / n }
            guard !lossOnly else { continue }
            for (row, value) in f.enumerated() where value != 0 {
                for c in p.indices { gradient[row][c] += value * (p[c] - y[c]) / n }
            }
        }
        for row in w.indices { for c in w[row].indices { loss += lambda * w[row][c] * w[row][c] } }
        if !lossOnly { for row in w.indices { for c in w[row].indices { gradient[row][c] += 2 * lambda * w[row][c] } } }
        return (loss, gradient)
    }
}
