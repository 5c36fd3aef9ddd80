import NeuralNetworks
import Tensors
import Testing

/// Training runs SmallNet's conv → max-pool → ReLU blocks fused, chunk by
/// chunk (`PooledConvolution.trainingForward`/`backward`); the reference runs
/// every layer's own forward and backward one after the other. Outputs and
/// every gradient must agree to the bit — also with ties in the pooling
/// windows (coarse inputs and weights), where the first maximum takes the gradient.
@Suite struct FusedTrainingTests {
    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    /// The parameters of the layer called `name` (its tensors are named `name.…`).
    static func parameters(of name: String, in set: ParameterSet) -> ArraySlice<Tensor> {
        let indices = set.names.indices.filter { set.names[$0].hasPrefix(name + ".") }
        return ArraySlice(indices.map { set.tensors[$0] })
    }

    /// Pooling windows (2×2) of `input` `[n, h, w, c]` whose maximum (in `pooled`) occurs more than once.
    static func ties(input: Tensor?, pooled: Tensor?) -> Int {
        guard let input, let pooled else { return 0 }
        let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        var count = 0
        for s in 0..<n {
            for py in 0..<(h / 2) {
                for px in 0..<(w / 2) {
                    for ch in 0..<c {
                        let maximum = pooled.scalars[((s * (h / 2) + py) * (w / 2) + px) * c + ch]
                        var equal = 0
                        for dy in 0..<2 { for dx in 0..<2 where input.scalars[((s * h + py * 2 + dy) * w + px * 2 + dx) * c + ch] == maximum { equal += 1 } }
                        if equal > 1 { count += 1 }
                    }
                }
            }
        }
        return count
    }

    @Test(arguments: [(Float(0), false), (0.3, false), (0, true)])
    func trainingPassMatchesLayerByLayer(dropout: Float, coarse: Bool) {
        let network = Network.make(.smallNet(dropout: dropout), inputShape: [16, 16, 1], outputs: 3)
        var random = RandomStream(seed: 5, purpose: "init")
        var parameters = network.initialParameters(&random)
        // Shifted so that some pooled maxima are negative and the ReLUs cut them.
        var x = GradientCheck.randomTensor([13, 16, 16, 1], seed: 11)
        for i in 0..<x.count { x.scalars[i] -= 0.4 }
        if coarse {
            // Few distinct values: many windows hold their maximum twice.
            for i in 0..<x.count { x.scalars[i] = (x.scalars[i] * 2).rounded() / 2 }
            for t in parameters.tensors.indices {
                for i in 0..<parameters.tensors[t].count { parameters.tensors[t].scalars[i] = (parameters.tensors[t].scalars[i] * 8).rounded() / 8 }
            }
            // Even output channels of both convolutions: no weights and a positive bias, so all four
            // positions of every window tie; the gradient must go to the first one.
            for name in ["conv1", "conv2"] {
                guard let w = parameters.names.firstIndex(of: name + ".weight"), let b = parameters.names.firstIndex(of: name + ".bias") else { continue }
                let outputs = parameters.tensors[b].count
                for i in 0..<parameters.tensors[w].count where (i % outputs) % 2 == 0 { parameters.tensors[w].scalars[i] = 0 }
                for j in stride(from: 0, to: outputs, by: 2) { parameters.tensors[b].scalars[j] = 0.25 }
            }
        }
        let outputGradient = GradientCheck.randomTensor([13, 3], seed: 12)

        var context = ForwardContext(mode: .training, random: RandomStream(seed: 9, purpose: "dropout"))
        let pass = network.forward(x, parameters: parameters, context: &context)
        #expect(pass.caches.filter { $0.routes != nil }.count == 2, "both conv blocks ran fused")
        let gradients = network.backward(pass, outputGradient: outputGradient, parameters: parameters)

        var reference = ForwardContext(mode: .training, random: RandomStream(seed: 9, purpose: "dropout"))
        var y = x
        var caches: [LayerCache] = []
        for entry in network.entries {
            let (output, cache) = entry.layer.forward(y, parameters: Self.parameters(of: entry.name, in: parameters), context: &reference)
            caches.append(cache)
            y = output
        }
        #expect(!caches.contains { $0.folded > 0 })
        if coarse { #expect(Self.ties(input: caches[1].tensor, pooled: caches[1].second) > 10, "windows holding their maximum twice") }
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
            let reference = expected[name].map(Self.bits) ?? []
            let differing = zip(reference, Self.bits(tensor)).filter { $0 != $1 }.count
            #expect(reference.count == tensor.count && differing == 0, "gradient of \(name): \(differing) of \(tensor.count) values differ")
        }
    }
}
