import NeuralNetworks
import Tensors
import Testing

@Suite struct NetworkTests {
    /// Whole-network gradient (all layers chained, loss included) by finite differences.
    @Test(arguments: [Architecture.mlp(hidden: [16, 8], dropout: 0.2), .smallNet(dropout: 0.3), .regressionMLP(dropout: 0), .linear])
    func networkGradientsMatchFiniteDifferences(architecture: Architecture) {
        let isImage: Bool = { if case .smallNet = architecture { return true } else { return false } }()
        let inputShape = isImage ? [16, 16, 1] : [5]
        let outputs = { if case .regressionMLP = architecture { return 1 } else { return 3 } }()
        let network = Network.make(architecture, inputShape: inputShape, outputs: outputs)
        var random = RandomStream(seed: 5, purpose: "init")
        let parameters = network.initialParameters(&random)
        let x = GradientCheck.randomTensor([4] + inputShape, seed: 40)
        let labels: [Int32] = [0, 2, 1, 2]
        let targets = GradientCheck.randomTensor([4, 1], seed: 41)
        func loss(_ p: ParameterSet) -> (Double, ForwardPass, Tensor) {
            var context = ForwardContext(mode: .training, random: RandomStream(seed: 9, stream: 9))
            let pass = network.forward(x, parameters: p, context: &context)
            let (value, gradient) = outputs == 1
                ? Loss.meanSquaredError(predictions: pass.output, targets: targets)
                : Loss.softmaxCrossEntropy(logits: pass.output, labels: labels)
            return (value, pass, gradient)
        }
        let (_, pass, outputGradient) = loss(parameters)
        let gradients = network.backward(pass, outputGradient: outputGradient, parameters: parameters)
        let directions = ParameterSet(names: parameters.names,
                                      tensors: parameters.tensors.enumerated().map { GradientCheck.randomTensor($1.shape, seed: 50 + UInt64($0)) })
        var analytic = 0.0
        for (g, d) in zip(gradients.tensors, directions.tensors) { analytic += GradientCheck.dot(g, d) }
        let epsilon: Float = 2e-4
        func moved(_ sign: Float) -> ParameterSet {
            ParameterSet(names: parameters.names, tensors: zip(parameters.tensors, directions.tensors).map { GradientCheck.shifted($0, $1, sign * epsilon) })
        }
        let numeric = (loss(moved(1)).0 - loss(moved(-1)).0) / Double(2 * epsilon)
        #expect(abs(numeric - analytic) / max(1e-3, abs(numeric) + abs(analytic)) < 2e-2, "numeric \(numeric) analytic \(analytic)")
    }

    @Test func smallNetHasThePapersShapes() {
        let network = Network.make(.smallNet(dropout: 0), inputShape: [28, 28, 1], outputs: 10)
        var random = RandomStream(seed: 1, purpose: "init")
        let parameters = network.initialParameters(&random)
        #expect(parameters.names == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        #expect(parameters.tensors.map(\.shape) == [[5, 5, 1, 32], [32], [5, 5, 32, 64], [64], [1024, 128], [128], [128, 10], [10]])
        #expect(network.embeddingDimensions == 128)
        #expect(network.weightNames == ["conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight"])
        // PyTorch's default init bound 1/√fan_in.
        let bound = 1 / Float(1024).squareRoot()
        let fc1 = parameters["fc1.weight"]!
        #expect(fc1.scalars.allSatisfy { abs($0) <= bound })
        #expect(abs(fc1.norm * fc1.norm / Double(fc1.count) - Double(bound * bound) / 3) < 0.05 * Double(bound * bound) / 3)
        #expect(Architecture.smallNet(dropout: 0).incompatibility(inputShape: [8, 8, 1]) != nil)
        #expect(Architecture.smallNet(dropout: 0).incompatibility(inputShape: [28, 28, 1]) == nil)
    }

    @Test func inferenceMatchesTrainingForwardWithoutDropout() {
        let network = Network.make(.mlp(hidden: [32], dropout: 0), inputShape: [10], outputs: 4)
        var random = RandomStream(seed: 2, purpose: "init")
        let parameters = network.initialParameters(&random)
        let x = GradientCheck.randomTensor([700, 10], seed: 3)
        var context = ForwardContext(mode: .training, random: RandomStream(seed: 1, stream: 1))
        let pass = network.forward(x, parameters: parameters, context: &context)
        let inference = network.infer(x, parameters: parameters)
        #expect(zip(pass.output.scalars, inference.outputs.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(inference.embeddings.shape == [700, 32])
        // MC dropout at inference is reproducible from its seed and differs from the plain pass.
        let dropNetwork = Network.make(.mlp(hidden: [32], dropout: 0.5), inputShape: [10], outputs: 4)
        let a = dropNetwork.infer(x, parameters: parameters, monteCarloDropout: true, dropoutSeed: 4, dropoutStream: 1)
        let b = dropNetwork.infer(x, parameters: parameters, monteCarloDropout: true, dropoutSeed: 4, dropoutStream: 1)
        #expect(a.outputs == b.outputs)
        #expect(a.outputs != dropNetwork.infer(x, parameters: parameters).outputs)
    }
}
