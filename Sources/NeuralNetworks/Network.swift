import Tensors

/// The record of a training-mode forward pass, consumed by `backward`.
public struct ForwardPass: Sendable {
    public let output: Tensor
    /// Output of the embedding layer (the penultimate representation).
    public let embedding: Tensor
    let caches: [LayerCache]
}

/// Outputs of an inference pass over many samples.
public struct Inference: Sendable {
    public var outputs: Tensor
    public var embeddings: Tensor
}

/// A sequential network of named layers. The layer at `embeddingLayer`
/// produces the penultimate representation used by embedding-based
/// strategies (core-set, BADGE, IBAL, …); the last layer produces the logits
/// (or the regression output).
public struct Network: Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let layer: any Layer
    }

    /// Per-sample input shape, e.g. `[28, 28, 1]` or `[64]`.
    public let inputShape: [Int]
    public let entries: [Entry]
    public let embeddingLayer: Int
    /// Parameter names, `<layer>.<parameter>`, in order.
    public let parameterNames: [String]
    let parameterRanges: [Range<Int>]
    /// Per-sample shapes of every layer's output.
    public let outputShapes: [[Int]]

    public init(inputShape: [Int], layers: [(String, any Layer)], embeddingLayer: Int) {
        precondition(!layers.isEmpty && layers.indices.contains(embeddingLayer), "bad network definition")
        self.inputShape = inputShape
        self.entries = layers.map { Entry(name: $0.0, layer: $0.1) }
        self.embeddingLayer = embeddingLayer
        var names: [String] = [], ranges: [Range<Int>] = [], shapes: [[Int]] = []
        var shape = inputShape
        for (name, layer) in layers {
            let start = names.count
            names += layer.parameterShapes.map { "\(name).\($0.name)" }
            ranges.append(start..<names.count)
            shape = layer.outputShape(for: shape)
            shapes.append(shape)
        }
        self.parameterNames = names
        self.parameterRanges = ranges
        self.outputShapes = shapes
    }

    public var outputDimensions: Int { outputShapes.last?.reduce(1, *) ?? 0 }
    public var embeddingDimensions: Int { outputShapes[embeddingLayer].reduce(1, *) }

    /// Names of the weight tensors (conv and linear kernels), the tensors
    /// Noise Stability perturbs. Biases are not weights.
    public var weightNames: [String] { parameterNames.filter { $0.hasSuffix(".weight") } }

    /// Fresh parameters drawn from `random`, layer by layer in order.
    public func initialParameters(_ random: inout RandomStream) -> ParameterSet {
        var set = ParameterSet()
        for entry in entries {
            let tensors = entry.layer.initialParameters(&random)
            for (spec, tensor) in zip(entry.layer.parameterShapes, tensors) {
                set.append("\(entry.name).\(spec.name)", tensor)
            }
        }
        return set
    }

    /// Forward through every layer. `input` is `[n] + inputShape`.
    public func forward(_ input: Tensor, parameters: ParameterSet, context: inout ForwardContext) -> ForwardPass {
        precondition(parameters.names == parameterNames, "parameters do not belong to this network")
        var x = input
        var caches: [LayerCache] = []
        caches.reserveCapacity(entries.count)
        var embedding = x
        for (index, entry) in entries.enumerated() {
            let (y, cache) = entry.layer.forward(x, parameters: parameters.tensors[parameterRanges[index]], context: &context)
            caches.append(cache)
            x = y
            if index == embeddingLayer { embedding = y.reshaped([y.rowCount, y.rowWidth]) }
        }
        return ForwardPass(output: x.reshaped([x.rowCount, x.rowWidth]), embedding: embedding, caches: caches)
    }

    /// Gradients of every parameter given the gradient of the loss with
    /// respect to the output (`[n, outputs]`).
    public func backward(_ pass: ForwardPass, outputGradient: Tensor, parameters: ParameterSet) -> ParameterSet {
        var gradients = [Tensor?](repeating: nil, count: parameterNames.count)
        var gradient = outputGradient.reshaped([outputGradient.rowCount] + (outputShapes.last ?? []))
        for index in stride(from: entries.count - 1, through: 0, by: -1) {
            let range = parameterRanges[index]
            let (dInput, dParameters) = entries[index].layer.backward(
                gradient, cache: pass.caches[index], parameters: parameters.tensors[range], needsInputGradient: index > 0)
            for (offset, tensor) in dParameters.enumerated() { gradients[range.lowerBound + offset] = tensor }
            if let dInput { gradient = dInput }
        }
        return ParameterSet(names: parameterNames, tensors: zip(gradients, parameters.tensors).map { $0 ?? Tensor(shape: $1.shape) })
    }

    /// Samples per inference chunk. Fixed, so results never depend on threads.
    public static let inferenceChunk = 256

    /// Outputs and embeddings for many samples, in parallel over fixed chunks.
    /// With `monteCarloDropout`, dropout stays active and the masks of chunk
    /// `i` come from stream (`dropoutSeed`, `dropoutStream` ⊕ i).
    public func infer(_ input: Tensor, parameters: ParameterSet,
                      monteCarloDropout: Bool = false, dropoutSeed: UInt64 = 0, dropoutStream: UInt64 = 0) -> Inference {
        let n = input.rowCount
        var outputs = Tensor(shape: [n, outputDimensions])
        var embeddings = Tensor(shape: [n, embeddingDimensions])
        let chunk = Self.inferenceChunk
        let chunks = (n + chunk - 1) / chunk
        var results = [Inference?](repeating: nil, count: chunks)
        results.withUnsafeMutableBufferPointer { slots in
            Parallel.forEach(blocks: chunks) { c in
                let rows = (c * chunk)..<min(n, (c + 1) * chunk)
                var context = ForwardContext(mode: .inference, monteCarloDropout: monteCarloDropout,
                    random: monteCarloDropout ? RandomStream(seed: dropoutSeed, stream: StreamID.splitMix(dropoutStream ^ UInt64(c))) : nil)
                let pass = forward(input.rows(rows), parameters: parameters, context: &context)
                slots[c] = Inference(outputs: pass.output, embeddings: pass.embedding)
            }
        }
        for (c, result) in results.enumerated() {
            guard let result else { continue }
            let start = c * chunk
            outputs.scalars.replaceSubrange((start * outputDimensions)..<((start + result.outputs.rowCount) * outputDimensions),
                                            with: result.outputs.scalars)
            embeddings.scalars.replaceSubrange((start * embeddingDimensions)..<((start + result.embeddings.rowCount) * embeddingDimensions),
                                               with: result.embeddings.scalars)
        }
        return Inference(outputs: outputs, embeddings: embeddings)
    }
}
