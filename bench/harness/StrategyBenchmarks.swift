import ActiveLearning
import Foundation
import NeuralNetworks
import Tensors

/// Benchmarks of the strategies (issue: query strategies).
enum StrategyBenchmarks {
    /// An MLP 784-256-10 trained for 10 epochs on the first 1000 images, so
    /// that the deviations have a realistic geometry; the other 59,000 are the candidates.
    static func trainedMLP(_ data: MNISTData) -> (Network, ParameterSet, Tensor) {
        let network = Network.make(.mlp(hidden: [256], dropout: 0), inputShape: [28, 28, 1], outputs: 10)
        var random = RandomStream(seed: 1, purpose: "init")
        let trainer = Trainer(network: network, configuration: TrainingConfiguration(epochs: 10, batchSize: 96, learningRate: 1e-3), seed: 2)
        var state = trainer.initialState(parameters: network.initialParameters(&random))
        let (x, labels) = data.first(1000)
        trainer.train(&state, features: x, targets: .classes(labels, classes: 10))
        return (network, state.parameters, data.train.features.rows(1000..<60_000))
    }

    static func noiseStabilityScoring(_ network: Network, _ parameters: ParameterSet, _ candidates: Tensor, repeats: Int) -> (BenchResult, Tensor) {
        var deviations = Tensor(shape: [0])
        let seconds = Measure.median(repeats: repeats) {
            deviations = NoiseStability.deviations(network: network, parameters: parameters, candidates: candidates,
                                                   noise: 0.001, samples: 30, output: .probabilities, seed: 7)
        }
        let n = candidates.rowCount
        let flops = Double(31 * 2 * n * (784 * 256 + 256 * 10))
        return (BenchResult(name: "ns-score-59k", seconds: seconds, flops: flops,
                            detail: "Noise Stability deviations, MLP 784-256-10, K=30, 59000 candidates"), deviations)
    }

    static func kCenter(_ deviations: Tensor, repeats: Int) -> BenchResult {
        let seconds = Measure.median(repeats: repeats) {
            _ = KCenterGreedy.select(points: deviations, count: 100, includeOrigin: true)
        }
        return BenchResult(name: "kcenter-59k", seconds: seconds, flops: nil,
                           detail: "k-center greedy, 100 picks on 59000 x 300 deviations (same vectors both sides)")
    }

    /// Writes the deviations for the PyTorch side: a little-endian float32 matrix behind a two-int64 header.
    static func export(_ deviations: Tensor, to path: String) throws {
        var data = Data()
        for dimension in [Int64(deviations.rowCount), Int64(deviations.rowWidth)] {
            withUnsafeBytes(of: dimension.littleEndian) { data.append(contentsOf: $0) }
        }
        deviations.scalars.withUnsafeBytes { data.append(contentsOf: $0) }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
    }
}
