import Tensors

/// Fully connected layer: `y = x · W + b`.
///
/// Shapes: input `[n, in]`, weight `[in, out]`, bias `[out]`, output `[n, out]`.
/// The weight is the transpose of PyTorch's `[out, in]` layout, so the
/// forward product — the hot path of inference and Noise Stability — runs
/// on an untransposed operand (measured: 200 vs 150 GFLOP/s here).
/// Initialised like PyTorch's `Linear`. Inputs of higher rank are flattened.
public struct Linear: Layer {
    public let inputDimensions: Int
    public let outputDimensions: Int

    public init(inputDimensions: Int, outputDimensions: Int) {
        self.inputDimensions = inputDimensions
        self.outputDimensions = outputDimensions
    }

    public var parameterShapes: [(name: String, shape: [Int])] {
        [("weight", [inputDimensions, outputDimensions]), ("bias", [outputDimensions])]
    }

    public func initialParameters(_ random: inout RandomStream) -> [Tensor] {
        [Initialization.kaimingUniform(shape: [inputDimensions, outputDimensions], fanIn: inputDimensions, &random),
         Initialization.uniform(shape: [outputDimensions], bound: 1 / Double(inputDimensions).squareRoot(), &random)]
    }

    public func outputShape(for inputShape: [Int]) -> [Int] { [outputDimensions] }

    public func forward(_ input: consuming Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache) {
        let shape = input.shape
        let x = input.reshaped([shape.first ?? 1, inputDimensions])
        var y = x.matmul(parameters[parameters.startIndex])               // [n, in] · [in, out]
        y.addRowVector(parameters[parameters.startIndex + 1])
        return (y, context.keepsCaches ? LayerCache(tensor: x, shape: shape) : .empty)
    }

    public func forwardRows(of input: Tensor, _ rows: Range<Int>, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> Tensor {
        forwardRows(of: input, rows, parameters: parameters, rectify: false)
    }

    /// Inference over rows `rows` of `input`; with `rectify`, a following
    /// ReLU is applied in the same pass as the bias.
    public func forwardRows(of input: Tensor, _ rows: Range<Int>, parameters: ArraySlice<Tensor>, rectify: Bool) -> Tensor {
        precondition(input.rowWidth == inputDimensions, "Linear expects \(inputDimensions) inputs per sample, got \(input.rowWidth)")
        var y = input.matmul(rows: rows, parameters[parameters.startIndex])
        y.addRowVector(parameters[parameters.startIndex + 1], rectify: rectify)
        return y
    }

    /// Inference on the column block `columns` of a 2-D input (e.g. one
    /// variant's block of a widened layer's output), read in place.
    public func forward(columns: Range<Int>, of input: Tensor, parameters: ArraySlice<Tensor>) -> Tensor {
        var y = input.matmul(columns: columns, parameters[parameters.startIndex])
        y.addRowVector(parameters[parameters.startIndex + 1])
        return y
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, parameters: ArraySlice<Tensor>,
                         needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        guard let x = cache.tensor else { preconditionFailure("Linear.backward without a training forward pass") }
        // xᵀ explicitly (tiled): OpenBLAS's packing of a transposed operand gathers with a large stride.
        let dWeight = x.transposed().matmul(outputGradient)                   // [in, n] · [n, out]
        let dBias = outputGradient.columnSums()
        let dInput = needsInputGradient
            ? outputGradient.matmul(parameters[parameters.startIndex].transposed()).reshaped(cache.shape)  // [n, out] · [out, in]
            : nil
        return (dInput, [dWeight, dBias])
    }
}
