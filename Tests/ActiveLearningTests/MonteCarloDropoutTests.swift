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

    /// The layers before the first dropout run once per chunk, not once per
    /// pass: every pass must still equal a whole `infer` pass with
    /// Monte-Carlo dropout on its stream — over several inference chunks (the
    /// last one partial), for SmallNet (shared first conv block) and an MLP
    /// (shared first linear layer and ReLU).
    @Test(arguments: [false, true])
    func passesEqualWholeDropoutInference(mlp: Bool) {
        let (network, parameters, x) = mlp ? Self.mlp(count: 2_100) : Self.smallNet(count: 2_100)
        #expect(network.firstStochasticLayer > 0 && network.firstStochasticLayer < network.entries.count)
        let passes = 3, classes = 3
        let probabilities = MonteCarloDropout.probabilities(network: network, parameters: parameters, candidates: x, passes: passes, seed: 4)
        for t in 0..<passes {
            let expected = network.infer(x, parameters: parameters, keepEmbeddings: false, monteCarloDropout: true, dropoutSeed: 4,
                                         dropoutStream: StreamID.make("mc-dropout", [UInt64(t)])).outputs.softmaxRows()
            let column = (0..<x.rowCount).flatMap { i in (0..<classes).map { probabilities.scalars[i * passes * classes + t * classes + $0] } }
            let differing = zip(column.map(\.bitPattern), Self.bits(expected)).filter { $0 != $1 }.count
            #expect(column.count == expected.count && differing == 0, "pass \(t): \(differing) of \(column.count) values differ")
        }
    }

    static func smallNet(count: Int = 37) -> (Network, ParameterSet, Tensor) {
        let network = Network.make(.smallNet(dropout: 0.3), inputShape: [16, 16, 1], outputs: 3)
        var random = RandomStream(seed: 2, purpose: "init")
        var pixels = RandomStream(seed: 7, purpose: "pixels")
        let x = Tensor(shape: [count, 16, 16, 1], scalars: (0..<(count * 256)).map { _ in Float(pixels.nextNormal()) })
        return (network, network.initialParameters(&random), x)
    }

    static func mlp(count: Int) -> (Network, ParameterSet, Tensor) {
        let network = Network.make(.mlp(hidden: [24, 12], dropout: 0.3), inputShape: [20], outputs: 3)
        var random = RandomStream(seed: 2, purpose: "init")
        var values = RandomStream(seed: 8, purpose: "features")
        let x = Tensor(shape: [count, 20], scalars: (0..<(count * 20)).map { _ in Float(values.nextNormal()) })
        return (network, network.initialParameters(&random), x)
    }
}
