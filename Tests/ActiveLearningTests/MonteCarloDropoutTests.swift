import ActiveLearning
import NeuralNetworks
import Tensors
import Testing

@Suite struct MonteCarloDropoutTests {
    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    /// Few candidates (one inference chunk): with two workers the passes run
    /// in parallel, with one they run one after the other; the same bits.
    @Test func monteCarloDropoutPassesGiveTheSameBitsWhateverTheWorkers() {
        let (network, parameters, x) = Self.smallNet()
        let one = Parallel.withWorkers(1) {
            MonteCarloDropout.probabilities(network: network, parameters: parameters, candidates: x, passes: 5, seed: 3)
        }
        let two = MonteCarloDropout.probabilities(network: network, parameters: parameters, candidates: x, passes: 5, seed: 3)
        #expect(one.shape == [37, 15])
        #expect(Self.bits(one) == Self.bits(two))
    }

    static func smallNet() -> (Network, ParameterSet, Tensor) {
        let network = Network.make(.smallNet(dropout: 0.3), inputShape: [16, 16, 1], outputs: 3)
        var random = RandomStream(seed: 2, purpose: "init")
        var pixels = RandomStream(seed: 7, purpose: "pixels")
        let x = Tensor(shape: [37, 16, 16, 1], scalars: (0..<(37 * 256)).map { _ in Float(pixels.nextNormal()) })
        return (network, network.initialParameters(&random), x)
    }
}
