import ArtifactStore
import Foundation
import HDF5
import Tensors
import Workflows

/// evaluate: the trained model's metrics on the test split.
///
///     metrics/<name>      one value: accuracy as a fraction, RMSE and MAE in the target's own units
///     per_class/correct, per_class/count   (classification)
///     attributes: labeled (training-set size), test_size
enum EvaluateStage {
    /// Implementation version (part of every evaluate stage key): bump it whenever what this file computes changes.
    static let version = 1

    static func compute(load: Input, train: Input, model: ModelSpec, metrics: [Metric]) throws -> ArtifactContent {
        let network = try Networks.make(model, load: load)
        let parameters = try Networks.parameters(train, for: network)
        let features = try load.floats("test/features")
        let outputs = network.infer(features, parameters: parameters, keepEmbeddings: false).outputs
        var content = ArtifactContent(attributes: ["labeled": .integer(Int64(try train.integer("samples"))),
                                                   "test_size": .integer(Int64(features.rowCount))])
        if try LoadStage.isClassification(load) {
            let truth = try load.labels("test/targets")
            let predicted = outputs.argmaxRows()
            let classes = try load.integer("classes")
            var correct = [Int64](repeating: 0, count: classes), count = [Int64](repeating: 0, count: classes)
            for (p, t) in zip(predicted, truth) {
                count[Int(t)] += 1
                if p == Int(t) { correct[Int(t)] += 1 }
            }
            content.arrays["per_class/correct"] = HDF5Array(correct)
            content.arrays["per_class/count"] = HDF5Array(count)
            let accuracy = Double(correct.reduce(0, +)) / Double(max(1, truth.count))
            for metric in metrics where metric == .accuracy { content.arrays["metrics/accuracy"] = HDF5Array([accuracy]) }
        } else {
            let truth = try load.floats("test/targets").scalars
            // Values are (y − shift)·factor; a difference only needs the factor.
            let factor = try load.double("target_factor")
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
                case .rmse: content.arrays["metrics/rmse"] = HDF5Array([(squares / n).squareRoot()])
                case .mae: content.arrays["metrics/mae"] = HDF5Array([absolute / n])
                case .accuracy: break
                }
            }
        }
        return content
    }
}
