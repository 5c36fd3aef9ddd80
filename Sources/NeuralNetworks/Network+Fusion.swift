import Tensors

/// Inference passes run a convolution followed by max pooling (and a ReLU)
/// as one fused kernel (`PooledConvolution`), bit-identical to the layers
/// run one by one; training runs them one by one (it keeps every output).
extension Network {
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

    /// Runs layer `index` (or the fused block it starts) on `x` in place and
    /// returns the index of the next layer to run.
    func inferenceStep(_ index: Int, _ x: inout Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> Int {
        if let fused = fusedStep(index, layer: entries[index].layer, of: x, rows: 0..<x.rowCount, parameters: parameters, context: context) {
            x = fused.output
            return fused.next
        }
        x = entries[index].layer.forward(consume x, parameters: parameters, context: &context).output
        return index + 1
    }
}
