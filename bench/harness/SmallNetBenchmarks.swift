import ActiveLearning
import NeuralNetworks
import Tensors

/// Benchmarks of SmallNet, the paper's MNIST CNN (issue 14, item 4): the
/// evaluate stage's inference, BALD's MC-dropout passes and one cycle's training.
enum SmallNetBenchmarks {
    /// Multiply-adds ×2 of one 28×28 image's forward pass: conv1 (576 pixels ×
    /// 25 × 32), conv2 (64 × 800 × 64), fc1 (1024 × 128), fc2 (128 × 10).
    static let forwardFlops = Double(2 * (576 * 25 * 32 + 64 * 800 * 64 + 1024 * 128 + 128 * 10))

    static func network(dropout: Float = 0) -> (Network, ParameterSet) {
        let network = Network.make(.smallNet(dropout: dropout), inputShape: [28, 28, 1], outputs: 10)
        var random = RandomStream(seed: 1, purpose: "init")
        return (network, network.initialParameters(&random))
    }

    static func inference(_ data: MNISTData, repeats: Int) -> BenchResult {
        let (network, parameters) = network()
        let (x, _) = data.first(10_000)
        let seconds = Measure.median(repeats: repeats) { _ = network.infer(x, parameters: parameters, keepEmbeddings: false) }
        return BenchResult(name: "smallnet-infer-10k", seconds: seconds, flops: forwardFlops * 10_000,
                           detail: "SmallNet inference over 10000 MNIST images (the evaluate stage)")
    }

    static func monteCarloDropout(_ data: MNISTData, repeats: Int) -> BenchResult {
        let (network, parameters) = network(dropout: 0.3)
        let candidates = data.train.features.rows(10_000..<11_000)
        let seconds = Measure.median(repeats: repeats) {
            _ = MonteCarloDropout.probabilities(network: network, parameters: parameters, candidates: candidates, passes: 30, seed: 5)
        }
        return BenchResult(name: "smallnet-mc-dropout-1kx30", seconds: seconds, flops: forwardFlops * 30_000,
                           detail: "BALD's MC-dropout passes: SmallNet p=0.3, 30 passes over 1000 candidates, softmax")
    }

    static func noiseStability(_ data: MNISTData, repeats: Int) -> BenchResult {
        let (network, parameters) = network()
        let candidates = data.train.features.rows(10_000..<11_000)
        let seconds = Measure.median(repeats: repeats) {
            _ = NoiseStability.deviations(network: network, parameters: parameters, candidates: candidates,
                                          noise: 0.001, samples: 30, output: .probabilities, seed: 5)
        }
        // The clean pass and 30 perturbed ones.
        return BenchResult(name: "smallnet-ns-1kx30", seconds: seconds, flops: forwardFlops * 31_000,
                           detail: "Noise Stability's perturb stage in mnist-paper: SmallNet, K = 30 copies over 1000 candidates")
    }

    static func training(_ data: MNISTData, repeats: Int) -> BenchResult {
        let (network, parameters) = network()
        let (x, labels) = data.first(200)
        let configuration = TrainingConfiguration(epochs: 50, batchSize: 96, learningRate: 1e-3, milestones: [20], gamma: 0.1)
        let trainer = Trainer(network: network, configuration: configuration, seed: 3)
        let initial = trainer.initialState(parameters: parameters)
        let seconds = Measure.median(repeats: repeats) {
            var state = initial
            trainer.train(&state, features: x, targets: .classes(labels, classes: 10))
        }
        // Backward costs about twice the forward pass (input and weight gradients).
        return BenchResult(name: "smallnet-train-200x50ep", seconds: seconds, flops: forwardFlops * 3 * 200 * 50,
                           detail: "one mnist-paper training: SmallNet, 200 images, 50 epochs, batch 96, Adam, x0.1 at 20")
    }
}
