import Foundation
import Tensors

/// Loss functions returning the loss value and its gradient with respect
/// to the network output.
public enum Loss {
    /// Softmax cross-entropy, computed stably from logits `[n, classes]`.
    ///
    /// Without `classWeights` the loss is the mean over the batch. With them it
    /// is Σᵢ w_{yᵢ}·CEᵢ — a sum, as in the noise-stability code's class-balanced
    /// loss where w_c = 1/(n_c + 1e-5), i.e. the sum over classes of each
    /// class's mean cross-entropy.
    public static func softmaxCrossEntropy(logits: Tensor, labels: [Int32], classWeights: [Float]? = nil) -> (loss: Double, gradient: Tensor) {
        let n = logits.rowCount, classes = logits.rowWidth
        precondition(labels.count == n, "\(labels.count) labels for \(n) rows")
        var gradient = logits.softmaxRows()
        var total = 0.0
        for i in 0..<n {
            let label = Int(labels[i])
            let row = i * classes
            // log p_y = z_y − logsumexp(z), recomputed in Double for accuracy.
            var maximum = -Double.infinity
            for j in 0..<classes { maximum = max(maximum, Double(logits.scalars[row + j])) }
            var sum = 0.0
            for j in 0..<classes { sum += exp(Double(logits.scalars[row + j]) - maximum) }
            let crossEntropy = maximum + log(sum) - Double(logits.scalars[row + label])
            let weight = classWeights.map { Double($0[label]) } ?? 1 / Double(n)
            total += weight * crossEntropy
            gradient.scalars[row + label] -= 1
            for j in 0..<classes { gradient.scalars[row + j] *= Float(weight) }
        }
        return (total, gradient)
    }

    /// Per-class weights 1/(n_c + 1e-5) for the paper's class-balanced loss.
    public static func classBalancedWeights(labels: [Int32], classes: Int) -> [Float] {
        var counts = [Double](repeating: 0, count: classes)
        for label in labels { counts[Int(label)] += 1 }
        return counts.map { Float(1 / ($0 + 1e-5)) }
    }

    /// Mean squared error over all values of `predictions` and `targets` (same shape).
    public static func meanSquaredError(predictions: Tensor, targets: Tensor) -> (loss: Double, gradient: Tensor) {
        precondition(predictions.count == targets.count, "prediction and target counts differ")
        let scale = 2 / Float(max(1, predictions.count))
        var total = 0.0
        var gradient = predictions
        for i in 0..<predictions.count {
            let difference = predictions.scalars[i] - targets.scalars[i]
            total += Double(difference) * Double(difference)
            gradient.scalars[i] = scale * difference
        }
        return (total / Double(max(1, predictions.count)), gradient)
    }
}
