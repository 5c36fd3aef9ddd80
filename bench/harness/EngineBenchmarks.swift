import CBLAS
import NeuralNetworks
import Tensors

/// Benchmarks of the numerical engine (issue: numerical engine).
enum EngineBenchmarks {
    /// The machine's reference rate: one OpenBLAS sgemm call on the tall
    /// 60000×784 · 784×256 product with OpenBLAS's own threads (all cores);
    /// with `threads: 1`, the single-core rate (`sgemm-core`) that issue 14's
    /// "% of the sgemm rate per core" divides by.
    static func sgemmPeak(repeats: Int, threads: Int = Parallel.defaultWorkers) -> BenchResult {
        let (m, k, n) = (60_000, 784, 256)
        var random = RandomStream(seed: 1, purpose: "bench")
        let a = (0..<(m * k)).map { _ in random.nextUniformFloat() }
        let b = (0..<(k * n)).map { _ in random.nextUniformFloat() }
        var c = [Float](repeating: 0, count: m * n)
        BLASRuntime.ensureConfigured()
        openblas_set_num_threads(Int32(threads))
        defer { openblas_set_num_threads(1) }
        let seconds = Measure.median(repeats: repeats) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        }
        return BenchResult(name: threads == 1 ? "sgemm-core" : "sgemm-peak", seconds: seconds, flops: Double(2 * m * n * k),
                           detail: "OpenBLAS \(BLASRuntime.coreName), \(threads == 1 ? "1 thread" : "\(threads) threads"), 60000x784 * 784x256")
    }

    static func mlpForward(_ data: MNISTData, repeats: Int) -> BenchResult {
        let network = Network.make(.mlp(hidden: [256], dropout: 0), inputShape: [28, 28, 1], outputs: 10)
        var random = RandomStream(seed: 1, purpose: "init")
        let parameters = network.initialParameters(&random)
        let x = data.train.features
        let seconds = Measure.median(repeats: repeats) { _ = network.infer(x, parameters: parameters, keepEmbeddings: false) }
        let n = x.rowCount
        return BenchResult(name: "mlp-forward-60k", seconds: seconds, flops: Double(2 * n * (784 * 256 + 256 * 10)),
                           detail: "MLP 784-256-10 inference over \(n) MNIST images")
    }

    static func trainEpoch(_ data: MNISTData, architecture: Architecture, name: String, repeats: Int) -> BenchResult {
        let (x, labels) = data.first(1000)
        let network = Network.make(architecture, inputShape: [28, 28, 1], outputs: 10)
        var random = RandomStream(seed: 1, purpose: "init")
        let trainer = Trainer(network: network, configuration: TrainingConfiguration(epochs: 1, batchSize: 96, learningRate: 1e-3), seed: 3)
        let initial = trainer.initialState(parameters: network.initialParameters(&random))
        let seconds = Measure.median(repeats: repeats) {
            var state = initial
            trainer.train(&state, features: x, targets: .classes(labels, classes: 10))
        }
        return BenchResult(name: name, seconds: seconds, flops: nil, detail: "one epoch, 1000 MNIST images, batch 96, Adam")
    }
}

