import NeuralNetworks
import Tensors
import Testing

/// Training folds each ReLU into the max pooling before it (SmallNet's
/// pool → ReLU); the reference runs every layer's own forward and backward
/// one after the other. Outputs and every gradient must agree to the bit.
@Suite struct FusedTrainingTests {
    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    /// The parameters of the layer called `name` (its tensors are named `name.…`).
    static func parameters(of name: String, in set: ParameterSet) -> ArraySlice<Tensor> {
        let indices = set.names.indices.filter { set.names[$0].hasPrefix(name + ".") }
        return ArraySlice(indices.map { set.tensors[$0] })
    }

    @Test(arguments: [Float(0), 0.3])
    func trainingPassMatchesLayerByLayer(dropout: Float) {
        let network = Network.make(.smallNet(dropout: dropout), inputShape: [16, 16, 1], outputs: 3)
        var random = RandomStream(seed: 5, purpose: "init")
        let parameters = network.initialParameters(&random)
        // Shifted so that some pooled maxima are negative and the ReLUs cut them.
        var x = GradientCheck.randomTensor([13, 16, 16, 1], seed: 11)
        for i in 0..<x.count { x.scalars[i] -= 0.4 }
        let outputGradient = GradientCheck.randomTensor([13, 3], seed: 12)

        var context = ForwardContext(mode: .training, random: RandomStream(seed: 9, purpose: "dropout"))
        let pass = network.forward(x, parameters: parameters, context: &context)
        let gradients = network.backward(pass, outputGradient: outputGradient, parameters: parameters)

        var reference = ForwardContext(mode: .training, random: RandomStream(seed: 9, purpose: "dropout"))
        var y = x
        var caches: [LayerCache] = []
        for entry in network.entries {
            let (output, cache) = entry.layer.forward(y, parameters: Self.parameters(of: entry.name, in: parameters), context: &reference)
            caches.append(cache)
            y = output
        }
        #expect(!caches.contains { $0.rectified })
        #expect(Self.bits(pass.output) == Self.bits(y.reshaped([13, 3])))

        var g = outputGradient
        var expected: [String: Tensor] = [:]
        for index in network.entries.indices.reversed() {
            let entry = network.entries[index]
            let (input, dParameters) = entry.layer.backward(g, cache: caches[index], parameters: Self.parameters(of: entry.name, in: parameters),
                                                            needsInputGradient: index > 0)
            for (spec, tensor) in zip(entry.layer.parameterShapes, dParameters) { expected["\(entry.name).\(spec.name)"] = tensor }
            if let input { g = input }
        }
        for (name, tensor) in zip(gradients.names, gradients.tensors) {
            #expect(expected[name].map(Self.bits) == Self.bits(tensor), "gradient of \(name)")
        }
    }
}
