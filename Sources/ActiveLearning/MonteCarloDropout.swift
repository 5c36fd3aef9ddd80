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
    public static func probabilities(network: Network, parameters: ParameterSet, candidates: Tensor,
                                     passes: Int, seed: UInt64) -> Tensor {
        let n = candidates.rowCount
        let classes = network.outputDimensions
        // Few candidates make few inference chunks: then the passes run in
        // parallel (each pass inline, chunk by chunk — the same values as
        // when its chunks run in parallel). Every value is written below.
        let chunks = (n + Network.inferenceChunk - 1) / Network.inferenceChunk
        return Tensor(shape: [n, passes * classes]) { out in
            let target = out.baseAddress!
            func pass(_ t: Int) {
                let probabilities = network.infer(candidates, parameters: parameters, keepEmbeddings: false, monteCarloDropout: true,
                                                  dropoutSeed: seed, dropoutStream: StreamID.make("mc-dropout", [UInt64(t)]))
                    .outputs.softmaxRows()
                probabilities.scalars.withUnsafeBufferPointer { p in
                    for i in 0..<n {
                        (target + i * passes * classes + t * classes).update(from: p.baseAddress! + i * classes, count: classes)
                    }
                }
            }
            if chunks >= Parallel.workers {
                for t in 0..<passes { pass(t) }
            } else {
                Parallel.forEach(blocks: passes, pass)
            }
        }
    }
}
