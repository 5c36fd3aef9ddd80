import NeuralNetworks
import Tensors
import Synchronization
import Testing

/// Inference runs SmallNet's conv → pool → ReLU blocks fused; the reference
/// is the same network run layer by layer (`Network.forward`, which never
/// fuses). They must agree to the bit, MC dropout included.
@Suite struct FusedInferenceTests {
    static func smallNet(dropout: Float) -> (Network, ParameterSet, Tensor) {
        let network = Network.make(.smallNet(dropout: dropout), inputShape: [16, 16, 1], outputs: 3)
        var random = RandomStream(seed: 2, purpose: "init")
        return (network, network.initialParameters(&random), GradientCheck.randomTensor([37, 16, 16, 1], seed: 7))
    }

    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    @Test func inferenceMatchesLayerByLayer() {
        let (network, parameters, x) = Self.smallNet(dropout: 0)
        var context = ForwardContext.inference
        let reference = network.forward(x, parameters: parameters, context: &context)
        let fused = network.infer(x, parameters: parameters)
        #expect(Self.bits(fused.outputs) == Self.bits(reference.output))
        #expect(Self.bits(fused.embeddings) == Self.bits(reference.embedding))
    }

    @Test func monteCarloDropoutMatchesLayerByLayer() {
        let (network, parameters, x) = Self.smallNet(dropout: 0.3)
        // One inference chunk: its masks come from stream (seed, splitMix(stream ⊕ 0)).
        var context = ForwardContext(mode: .inference, monteCarloDropout: true, random: RandomStream(seed: 4, stream: StreamID.splitMix(6)))
        let reference = network.forward(x, parameters: parameters, context: &context)
        let fused = network.infer(x, parameters: parameters, monteCarloDropout: true, dropoutSeed: 4, dropoutStream: 6)
        #expect(Self.bits(fused.outputs) == Self.bits(reference.output))
    }

    @Test func widenedVariantsMatchLayerByLayer() {
        let (network, parameters, x) = Self.smallNet(dropout: 0)
        let variants = (0..<3).map { k in
            ParameterSet(names: parameters.names, tensors: parameters.tensors.enumerated().map { index, tensor in
                var shifted = tensor
                for i in 0..<shifted.count { shifted.scalars[i] += Float(k) * 0.01 * Float((i + index) % 7 - 3) }
                return shifted
            })
        }
        // One chunk of 37: with 2 workers the variants run in parallel, with 1
        // chunk after chunk; the same bits. The widened first product sums like
        // the per-variant ones on some BLAS kernels only, so against the
        // layer-by-layer reference the values agree to rounding.
        var runs: [[Tensor]] = []
        for workers in [1, 2] {
            let outputs = Mutex([Tensor](repeating: Tensor(shape: [0]), count: variants.count))
            Parallel.withWorkers(workers) {
                network.inferVariants(x, variants: variants, chunk: 64) { _, k, output, _ in outputs.withLock { $0[k] = output } }
            }
            runs.append(outputs.withLock { $0 })
        }
        #expect(runs[0].map(Self.bits) == runs[1].map(Self.bits))
        for (k, variant) in variants.enumerated() {
            var context = ForwardContext.inference
            let expected = network.forward(x, parameters: variant, context: &context).output
            #expect(zip(runs[0][k].scalars, expected.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        }
    }
}
