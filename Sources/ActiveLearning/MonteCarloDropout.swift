import NeuralNetworks
import Tensors

/// Monte-Carlo dropout (Gal & Ghahramani 2016): T stochastic passes with
/// only the dropout layers active (no batch-norm statistics are touched —
/// alflow's networks have none), as in BaaL; the noise-stability code does
/// the same at query time on the model trained without dropout.
public enum MonteCarloDropout {
    /// Implementation version of the dropout passes (part of every MC-dropout perturb stage key).
    public static let version = 1

    /// Softmax probabilities of `passes` dropout passes, `[n, passes · classes]`
    /// (row i holds p₁(i), …, p_T(i)). `network` must contain the dropout
    /// layers (`Architecture.withDropout(p)`); its parameters are the
    /// trained ones (dropout layers own none). Pass t uses stream
    /// (`seed`, "mc-dropout" t, chunk).
    ///
    /// The layers before the first dropout layer compute the same values in
    /// every pass; they run once per inference chunk, and the passes start
    /// from their output (SmallNet: the first convolution block, 14 % of a
    /// pass). The chunks, streams and per-pass layers are those of
    /// `Network.infer(…, monteCarloDropout: true)`, so the values are too.
    public static func probabilities(network: Network, parameters: ParameterSet, candidates: Tensor,
                                     passes: Int, seed: UInt64) -> Tensor {
        let n = candidates.rowCount
        let classes = network.outputDimensions
        let chunk = Network.inferenceChunk
        let shared = 0..<network.firstStochasticLayer
        let perPass = shared.upperBound..<network.entries.count
        let streams = (0..<passes).map { StreamID.make("mc-dropout", [UInt64($0)]) }
        return Tensor(shape: [n, passes * classes]) { out in
            let target = out.baseAddress!
            // Chunk by chunk (bounded memory); within a chunk, the passes run in parallel.
            for start in stride(from: 0, to: n, by: chunk) {
                let rows = start..<min(n, start + chunk)
                // As one block, exactly as `infer` runs a chunk (its products are not split by rows).
                let prefix = Parallel.asOneBlock {
                    var context = ForwardContext.inference
                    return network.forwardChunk(candidates, rows: rows, layers: shared, parameters: parameters, context: &context).output
                }
                Parallel.forEach(blocks: passes) { t in
                    var context = ForwardContext(mode: .inference, monteCarloDropout: true,
                                                 random: RandomStream(seed: seed, stream: StreamID.splitMix(streams[t] ^ UInt64(start / chunk))))
                    let logits = network.forwardChunk(prefix, rows: 0..<rows.count, layers: perPass, parameters: parameters, context: &context).output
                    let probabilities = logits.reshaped([rows.count, classes]).softmaxRows()
                    probabilities.scalars.withUnsafeBufferPointer { p in
                        for i in 0..<rows.count {
                            (target + (start + i) * passes * classes + t * classes).update(from: p.baseAddress! + i * classes, count: classes)
                        }
                    }
                }
            }
        }
    }
}
