import Tensors

/// Inference passes run a convolution followed by max pooling (and a ReLU)
/// as one fused kernel (`PooledConvolution`), bit-identical to the layers
/// run one by one; training passes run conv → max-pool → ReLU fused too,
/// keeping only what the backward pass needs.
extension Network {
    /// If layer `index` starts a conv → max-pool → ReLU block whose outputs
    /// are not the embedding, the block's training forward pass on `x` and
    /// the convolution's cache.
    func pooledConvolution(_ index: Int, _ x: Tensor, parameters: ParameterSet) -> (Tensor, LayerCache)? {
        guard index + 2 < entries.count, let convolution = entries[index].layer as? Conv2D,
              let pool = entries[index + 1].layer as? MaxPool2D, entries[index + 2].layer is ReLU,
              !(index...index + 2).contains(embeddingLayer),
              x.rank == 4, x.shape[3] == convolution.inputChannels else { return nil }
        return convolution.forwardPooledTraining(x, parameters: parameters.tensors[parameterRanges[index]], window: pool.window)
    }

    /// If layer `index` (run as `layer`, e.g. a widened copy) starts a conv →
    /// max-pool (→ ReLU) block that can run fused here, its output over rows
    /// `rows` of `input` and the index of the first layer after the block.
    func fusedStep(_ index: Int, layer: any Layer, of input: Tensor, rows: Range<Int>, parameters: ArraySlice<Tensor>,
                   context: ForwardContext) -> (output: Tensor, next: Int)? {
        guard !context.keepsCaches, let convolution = layer as? Conv2D, index != embeddingLayer,
              index + 1 < entries.count, let pool = entries[index + 1].layer as? MaxPool2D,
              input.rank == 4, input.shape[3] == convolution.inputChannels else { return nil }
        let rectify = index + 2 < entries.count && entries[index + 2].layer is ReLU && index + 1 != embeddingLayer
        let output = convolution.forwardPooled(of: input, rows, parameters: parameters, window: pool.window, rectify: rectify)
        return (output, index + (rectify ? 3 : 2))
    }

    /// Runs layer `index` (or the fused block it starts, if it ends before
    /// layer `end`) on `x` in place and returns the index of the next layer to run.
    func inferenceStep(_ index: Int, _ x: inout Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext,
                       before end: Int = .max) -> Int {
        if let fused = fusedStep(index, layer: entries[index].layer, of: x, rows: 0..<x.rowCount, parameters: parameters, context: context),
           fused.next <= end {
            x = fused.output
            return fused.next
        }
        x = entries[index].layer.forward(consume x, parameters: parameters, context: &context).output
        return index + 1
    }
}
