import NeuralNetworks
import Tensors

/// Noise Stability (Li et al., AAAI 2024; the official code's
/// `noise_stability.py`): perturb every weight tensor of the trained model
/// with Gaussian noise of relative norm λ, K times, and measure how the
/// outputs move; then pick a large and diverse batch by k-center greedy on
/// the deviation vectors, with the origin as the first centre.
public enum NoiseStability {
    /// Implementation version of the deviations (part of every Noise Stability perturb stage key).
    public static let version = 1

    /// What is compared under perturbation.
    public enum Output: String, Sendable {
        /// Softmax probabilities (classification).
        case probabilities
        /// The penultimate features (the code's `use_feature`, for regression).
        case embedding
    }

    /// How the batch is chosen from the deviation vectors.
    public enum Selection: String, Sendable {
        /// k-center greedy with the origin as the first centre (the default).
        case kCenter = "kcenter"
        /// The B largest ‖D(x)‖ (magnitude only; the paper's ablation).
        case topK = "topk"
    }

    /// One perturbed copy: every tensor named in `weightNames` gets
    /// ε ~ N(0, I) rescaled so that ‖ε‖_F = λ·‖W‖_F exactly; biases and
    /// every other tensor stay as they are. Draws never accumulate: each
    /// copy starts from the clean `parameters`.
    public static func perturbed(_ parameters: ParameterSet, weightNames: [String], noise lambda: Float,
                                 random: inout RandomStream) -> ParameterSet {
        var copy = parameters
        for (index, name) in parameters.names.enumerated() where weightNames.contains(name) {
            let weight = parameters.tensors[index]
            var epsilon = [Double](repeating: 0, count: weight.count)
            var epsilonSquares = 0.0
            for i in epsilon.indices {
                epsilon[i] = random.nextNormal()
                epsilonSquares += epsilon[i] * epsilon[i]
            }
            let scale = epsilonSquares > 0 ? Double(lambda) * weight.norm / epsilonSquares.squareRoot() : 0
            copy.tensors[index] = Tensor(shape: weight.shape) { out in
                weight.scalars.withUnsafeBufferPointer { w in
                    for i in 0..<weight.count { out[i] = w[i] + Float(scale * epsilon[i]) }
                }
            }
        }
        return copy
    }

    /// The deviation vectors D(x) = concat_k (o_k(x) − o(x)) / ‖o(x)‖ for
    /// every candidate x, `[n, K · width]`, where o are the clean outputs
    /// (softmax or embedding) and o_k those of the k-th perturbed copy.
    /// Draw k uses stream (`seed`, "noise-stability" k). All K noisy passes
    /// share one read of the candidates (see `Network.inferVariants`).
    public static func deviations(network: Network, parameters: ParameterSet, candidates: Tensor,
                                  noise lambda: Float, samples: Int, output: Output, seed: UInt64) -> Tensor {
        let result = Result { () throws -> Tensor in
            try deviations(network: network, parameters: parameters, count: candidates.rowCount, block: max(1, candidates.rowCount),
                           rows: { _ in candidates }, noise: lambda, samples: samples, output: output, seed: seed)
        }
        // The only source of rows here cannot fail.
        return (try? result.get()) ?? Tensor(shape: [candidates.rowCount, samples * outputWidth(network, output)])
    }

    /// Rows per block when candidates are streamed: a multiple of the
    /// inference chunks (`Network.inferenceChunk`, `inferVariants`' 4,096),
    /// so that every chunk holds the same rows as in one whole pass and the
    /// deviations are bit-identical to it.
    public static let streamBlock = 16_384

    /// The deviations of `count` candidates whose features `rows(range)`
    /// reads a block at a time (`block` rows, a multiple of `streamBlock`
    /// unless it is all of them), so only one block of features is held.
    public static func deviations(network: Network, parameters: ParameterSet, count n: Int, block: Int = streamBlock,
                                  rows: (Range<Int>) throws -> Tensor, noise lambda: Float, samples: Int, output: Output,
                                  seed: UInt64) throws -> Tensor {
        let variants = (0..<samples).map { k -> ParameterSet in
            var random = RandomStream(seed: seed, purpose: "noise-stability", UInt64(k))
            return perturbed(parameters, weightNames: network.weightNames, noise: lambda, random: &random)
        }
        let width = outputWidth(network, output)
        let total = samples * width
        let chunk = variantChunk(network, samples: samples)
        var failure: Error?
        // Every value is written below (each block × chunk × draw exactly once).
        let result = Tensor(shape: [n, total]) { out in
            guard let target = out.baseAddress else { return }
            var start = 0
            while start < n {
                let range = start..<min(n, start + max(1, block))
                start = range.upperBound
                let candidates: Tensor
                do { candidates = try rows(range) } catch {
                    failure = error
                    return
                }
                let clean = network.infer(candidates, parameters: parameters, keepEmbeddings: output == .embedding)
                let reference = output == .probabilities ? clean.outputs.softmaxRows() : clean.embeddings
                let norms = reference.rowNorms()
                reference.scalars.withUnsafeBufferPointer { clean in
                    let base = clean.baseAddress!, offset = range.lowerBound
                    network.inferVariants(candidates, variants: variants, chunk: chunk,
                                          embeddings: output == .embedding) { chunk, k, outputs, embeddings in
                        let noisy = output == .probabilities ? outputs.softmaxRows() : embeddings
                        noisy.scalars.withUnsafeBufferPointer { noisyBuffer in
                            for (r, i) in chunk.enumerated() {
                                let scale = norms[i] > 0 ? 1 / norms[i] : 0
                                let from = noisyBuffer.baseAddress! + r * width
                                let to = target + (offset + i) * total + k * width
                                let cleanRow = base + i * width
                                for j in 0..<width { to[j] = (from[j] - cleanRow[j]) * scale }
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Rows per chunk of `Network.inferVariants`: the largest power of two
    /// up to 4,096 whose K copies of the first layer's output fit in 32 MiB
    /// (MLP 784-256 with K = 30: 1,024 rows; SmallNet, whose first layer is
    /// 2.2 MB a row for K = 30: 8). Part of what fixes the bits: OpenBLAS
    /// picks its small-matrix path by M·N·K, so a per-variant product over a
    /// last partial chunk (fewer rows) may sum differently from a whole one —
    /// changing this rule needs a `version` bump.
    public static func variantChunk(_ network: Network, samples: Int) -> Int {
        var first = 0
        while first < network.entries.count - 1, network.entries[first].layer is Flatten { first += 1 }
        let rowBytes = max(1, network.outputShapes[first].reduce(1, *) * max(1, samples) * MemoryLayout<Float>.size)
        var chunk = 4096
        while chunk > 1, chunk * rowBytes > 32 << 20 { chunk /= 2 }
        return chunk
    }

    static func outputWidth(_ network: Network, _ output: Output) -> Int {
        output == .probabilities ? network.outputDimensions : network.embeddingDimensions
    }

    /// The implicit uncertainty ‖D(x)‖ of each candidate.
    public static func magnitudes(_ deviations: Tensor) -> [Float] {
        deviations.rowNorms()
    }

    /// The batch: k-center greedy on D with the origin as a centre (a point
    /// that did not move is never picked before all others are covered), or
    /// the top-B magnitudes.
    public static func select(deviations: Tensor, count: Int, rule: Selection = .kCenter) -> [Int] {
        switch rule {
        case .kCenter: return KCenterGreedy.select(points: deviations, count: count, includeOrigin: true)
        case .topK: return Ranking.top(magnitudes(deviations), count: count)
        }
    }
}

extension NoiseStability {
    /// The deviations (o_k − o)/‖o‖ from outputs computed elsewhere (an
    /// external model's clean outputs `[n, w]` and K perturbed ones
    /// `[n, K·w]`, draw k in columns k·w ..< (k+1)·w) — the same arithmetic as
    /// `deviations(network:…)`.
    public static func deviations(clean: Tensor, perturbed: Tensor, samples: Int) -> Tensor {
        let n = clean.rowCount, width = clean.rowWidth, total = samples * width
        precondition(perturbed.rowCount == n && perturbed.rowWidth == total, "perturbed outputs must be [n, K·w]")
        let norms = clean.rowNorms()
        var values = [Float](repeating: 0, count: n * total)
        for i in 0..<n {
            let scale = norms[i] > 0 ? 1 / norms[i] : 0
            for k in 0..<samples {
                for j in 0..<width {
                    values[i * total + k * width + j] = (perturbed.scalars[i * total + k * width + j] - clean.scalars[i * width + j]) * scale
                }
            }
        }
        return Tensor(shape: [n, total], scalars: values)
    }
}
