import ArtifactStore
import Foundation
import HDF5
import Tensors
import Workflows

/// evaluate: the trained model's metrics on the test split (layout: `EvaluatePayload`).
enum EvaluateStage {
    /// Implementation version (part of every evaluate stage key): bump it whenever what this file computes changes.
    static let version = 1

    static func compute(load: LoadPayload, train: Input, model: ModelSpec, metrics: [Metric]) throws -> EvaluatePayload {
        let network = try Networks.make(model, load: load)
        let parameters = try Networks.parameters(train, for: network)
        let features = try load.testFeatures()
        let outputs = network.infer(features, parameters: parameters, keepEmbeddings: false).outputs
        return try payload(outputs: outputs, load: load, labeled: try train.integer("samples"), metrics: metrics)
    }

    /// The metrics of a model's outputs on the test split: logits or probabilities `[T, C]`, or predictions `[T, 1]`.
    static func payload(outputs: Tensor, load: LoadPayload, labeled: Int, metrics: [Metric]) throws -> EvaluatePayload {
        var result = EvaluatePayload(metrics: [:], perClass: nil, labeled: labeled, testSize: outputs.rowCount)
        if load.isClassification {
            let truth = try load.testLabels()
            let predicted = outputs.argmaxRows()
            var correct = [Int64](repeating: 0, count: load.classes), count = [Int64](repeating: 0, count: load.classes)
            for (p, t) in zip(predicted, truth) {
                count[Int(t)] += 1
                if p == Int(t) { correct[Int(t)] += 1 }
            }
            result.perClass = (correct, count)
            let accuracy = Double(correct.reduce(0, +)) / Double(max(1, truth.count))
            for metric in metrics where metric == .accuracy { result.metrics[.accuracy] = accuracy }
        } else {
            let truth = try load.testValues()
            // Values are (y − shift)·factor; a difference only needs the factor.
            let factor = try load.targetFactor()
            var squares = 0.0, absolute = 0.0
            for (prediction, target) in zip(outputs.scalars, truth) {
                // Back to the target's own units before measuring.
                let error = (Double(prediction) - Double(target)) / factor
                squares += error * error
                absolute += abs(error)
            }
            let n = Double(max(1, truth.count))
            for metric in metrics {
                switch metric {
                case .rmse: result.metrics[.rmse] = (squares / n).squareRoot()
                case .mae: result.metrics[.mae] = absolute / n
                case .accuracy: break
                }
            }
        }
        return result
    }
}
