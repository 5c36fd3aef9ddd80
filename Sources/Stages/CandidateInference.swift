import Foundation
import ActiveLearning
import NeuralNetworks
import Tensors

/// The trained model's outputs (and, only if a strategy asks, embeddings)
/// over a score stage's candidates, computed on first use with the
/// candidates' features read one block at a time (`NoiseStability.streamBlock`
/// rows, a multiple of the inference chunk, so the values are bit-identical
/// to one pass over all of them). A read error is kept and rethrown by
/// `check()` after the strategy ran (the strategy then saw zeros).
/// `@unchecked`: every access to the mutable fields holds `lock`.
final class CandidateInference: @unchecked Sendable {
    private let network: Network
    private let weights: ParameterSet
    private let count: Int
    private let rows: @Sendable (Range<Int>) throws -> Tensor
    private let lock = NSLock()
    private var outputs: Tensor?
    private var embeddings: Tensor?
    private var failure: Error?

    init(network: Network, weights: ParameterSet, count: Int, rows: @escaping @Sendable (Range<Int>) throws -> Tensor) {
        self.network = network
        self.weights = weights
        self.count = count
        self.rows = rows
    }

    /// Softmax of the candidates' outputs `[n, C]`.
    func probabilities() -> Tensor {
        lock.withLock {
            if outputs == nil { run(keepEmbeddings: false) }
            return (outputs ?? Tensor(shape: [count, network.outputDimensions])).softmaxRows()
        }
    }

    /// The candidates' penultimate features `[n, d]`.
    func candidateEmbeddings() -> Tensor {
        lock.withLock {
            if embeddings == nil { run(keepEmbeddings: true) }
            return embeddings ?? Tensor(shape: [count, network.embeddingDimensions])
        }
    }

    /// Throws the first read error, if any.
    func check() throws {
        if let failure = lock.withLock({ failure }) { throw failure }
    }

    /// Caller holds `lock`.
    private func run(keepEmbeddings: Bool) {
        let outputWidth = network.outputDimensions, embeddingWidth = network.embeddingDimensions
        var outputValues: [Float] = [], embeddingValues: [Float] = []
        outputValues.reserveCapacity(count * outputWidth)
        if keepEmbeddings { embeddingValues.reserveCapacity(count * embeddingWidth) }
        var start = 0
        while start < count {
            let range = start..<min(count, start + NoiseStability.streamBlock)
            start = range.upperBound
            do {
                let inference = network.infer(try rows(range), parameters: weights, keepEmbeddings: keepEmbeddings)
                outputValues += inference.outputs.scalars
                if keepEmbeddings { embeddingValues += inference.embeddings.scalars }
            } catch {
                failure = failure ?? error
                return
            }
        }
        outputs = Tensor(shape: [count, outputWidth], scalars: outputValues)
        if keepEmbeddings { embeddings = Tensor(shape: [count, embeddingWidth], scalars: embeddingValues) }
    }
}
