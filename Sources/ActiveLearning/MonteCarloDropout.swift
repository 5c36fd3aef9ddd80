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
        var result = Tensor(shape: [n, passes * classes])
        for t in 0..<passes {
            let probabilities = network.infer(candidates, parameters: parameters, keepEmbeddings: false, monteCarloDropout: true,
                                              dropoutSeed: seed, dropoutStream: StreamID.make("mc-dropout", [UInt64(t)]))
                .outputs.softmaxRows()
            for i in 0..<n {
                for c in 0..<classes {
                    result.scalars[i * passes * classes + t * classes + c] = probabilities.scalars[i * classes + c]
                }
            }
        }
        return result
    }
}
