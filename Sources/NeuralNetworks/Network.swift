import Tensors

/// The record of a training-mode forward pass, consumed by `backward`.
public struct ForwardPass: Sendable {
    public let output: Tensor
    /// Output of the embedding layer (the penultimate representation).
    public let embedding: Tensor
    public let caches: [LayerCache]
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
        var index = 0
        while index < entries.count {
            // Convolution, max pooling and ReLU (SmallNet's blocks) chunk by chunk, when no output is the embedding.
            if context.keepsCaches, let (y, cache) = pooledConvolution(index, x, parameters: parameters) {
                caches += [cache, .empty, .empty]
                x = y
                index += 3
                continue
            }
            // Handing over ownership lets element-wise layers work in place.
            let (y, cache) = entries[index].layer.forward(consume x, parameters: parameters.tensors[parameterRanges[index]], context: &context)
            caches.append(cache)
            x = y
            if index == embeddingLayer { embedding = y.reshaped([y.rowCount, y.rowWidth]) }
            index += 1
        }
        return ForwardPass(output: x.reshaped([x.rowCount, x.rowWidth]), embedding: embedding, caches: caches)
    }

    /// Gradients of every parameter given the gradient of the loss with
    /// respect to the output (`[n, outputs]`).
    public func backward(_ pass: ForwardPass, outputGradient: Tensor, parameters: ParameterSet) -> ParameterSet {
        var gradients = [Tensor?](repeating: nil, count: parameterNames.count)
        var gradient = outputGradient.reshaped([outputGradient.rowCount] + (outputShapes.last ?? []))
        // Below the first layer with parameters nothing needs an input gradient.
        let firstWithParameters = parameterRanges.firstIndex { !$0.isEmpty } ?? entries.count
        // Layers folded into the forward pass of a layer before them: that layer's backward covers them.
        var folded = Set<Int>()
        for (index, cache) in pass.caches.enumerated() where cache.folded > 0 { folded.formUnion(index + 1...index + cache.folded) }
        for index in stride(from: entries.count - 1, through: firstWithParameters, by: -1) where !folded.contains(index) {
            let range = parameterRanges[index]
            let (dInput, dParameters) = entries[index].layer.backward(
                gradient, cache: pass.caches[index], parameters: parameters.tensors[range],
                needsInputGradient: index > firstWithParameters)
            for (offset, tensor) in dParameters.enumerated() { gradients[range.lowerBound + offset] = tensor }
            if let dInput { gradient = dInput }
        }
        return ParameterSet(names: parameterNames, tensors: zip(gradients, parameters.tensors).map { $0 ?? Tensor(shape: $1.shape) })
    }

    /// Samples per inference chunk. Fixed, so results never depend on threads.
    public static let inferenceChunk = 1024

    /// Outputs and embeddings for many samples, in parallel over fixed chunks.
    /// With `monteCarloDropout`, dropout stays active and the masks of chunk
    /// `i` come from stream (`dropoutSeed`, `dropoutStream` ⊕ i).
    public func infer(_ input: Tensor, parameters: ParameterSet, keepEmbeddings: Bool = true,
                      monteCarloDropout: Bool = false, dropoutSeed: UInt64 = 0, dropoutStream: UInt64 = 0) -> Inference {
        let n = input.rowCount
        let chunk = Self.inferenceChunk
        let (outputWidth, embeddingWidth) = (outputDimensions, keepEmbeddings ? embeddingDimensions : 0)
        var embeddings = Tensor(shape: [n, embeddingWidth])
        let outputs = Tensor(shape: [n, outputWidth]) { outputBuffer in
            embeddings.scalars.withUnsafeMutableBufferPointer { embeddingBuffer in
                let outputBase = outputBuffer.baseAddress, embeddingBase = embeddingBuffer.baseAddress
                Parallel.forEachRange(count: n, grain: chunk) { rows in
                    var context = ForwardContext(mode: .inference, monteCarloDropout: monteCarloDropout,
                        random: monteCarloDropout ? RandomStream(seed: dropoutSeed, stream: StreamID.splitMix(dropoutStream ^ UInt64(rows.lowerBound / chunk))) : nil)
                    let (output, embedding) = forwardChunk(input, rows: rows, parameters: parameters, context: &context)
                    output.scalars.withUnsafeBufferPointer {
                        (outputBase! + rows.lowerBound * outputWidth).update(from: $0.baseAddress!, count: $0.count)
                    }
                    if embeddingWidth > 0 {
                        embedding.scalars.withUnsafeBufferPointer {
                            (embeddingBase! + rows.lowerBound * embeddingWidth).update(from: $0.baseAddress!, count: $0.count)
                        }
                    }
                }
            }
        }
        return Inference(outputs: outputs, embeddings: embeddings)
    }

    /// Inference over rows `rows` of `input`. Leading `Flatten` layers do not
    /// move data, so the first real layer reads the rows in place.
    public func forwardChunk(_ input: Tensor, rows: Range<Int>, parameters: ParameterSet,
                             context: inout ForwardContext) -> (output: Tensor, embedding: Tensor) {
        let (x, embedding) = forwardChunk(input, rows: rows, layers: entries.indices, parameters: parameters, context: &context)
        let features = embedding ?? input.rows(rows)
        return (x.reshaped([rows.count, x.rowWidth]), features.reshaped([rows.count, features.rowWidth]))
    }

    /// Inference through layers `layers` only, over rows `rows` of `input`
    /// (the output of layer `layers.lowerBound - 1`, or the network's input):
    /// the last layer's output in its own shape, and the embedding layer's
    /// output if that layer is among them.
    public func forwardChunk(_ input: Tensor, rows: Range<Int>, layers: Range<Int>, parameters: ParameterSet,
                             context: inout ForwardContext) -> (output: Tensor, embedding: Tensor?) {
        guard !layers.isEmpty else { return (input.rows(rows), nil) }
        var first = layers.lowerBound
        while first < layers.upperBound - 1, entries[first].layer is Flatten { first += 1 }
        var x: Tensor
        var index: Int
        if let fused = fusedStep(first, layer: entries[first].layer, of: input, rows: rows,
                                 parameters: parameters.tensors[parameterRanges[first]], context: context),
           fused.next <= layers.upperBound {
            (x, index) = fused
        } else {
            x = entries[first].layer.forwardRows(of: input, rows, parameters: parameters.tensors[parameterRanges[first]], context: &context)
            index = first + 1
        }
        // Taken only at the embedding layer, so earlier in-place layers never copy.
        var embedding: Tensor? = (first..<index).contains(embeddingLayer) ? x : nil
        while index < layers.upperBound {
            let next = inferenceStep(index, &x, parameters: parameters.tensors[parameterRanges[index]], context: &context,
                                     before: layers.upperBound)
            if (index..<next).contains(embeddingLayer) { embedding = x }
            index = next
        }
        return (x, embedding)
    }

    /// Index of the first layer whose output depends on a random stream (a
    /// dropout layer), or the layer count: with Monte-Carlo dropout, layers
    /// before it compute the same values in every pass.
    public var firstStochasticLayer: Int { entries.firstIndex { $0.layer is Dropout } ?? entries.count }
}
