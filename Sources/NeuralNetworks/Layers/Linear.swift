import Tensors

/// Fully connected layer: `y = x · Wᵀ + b`.
///
/// Shapes: input `[n, in]`, weight `[out, in]` (PyTorch layout), bias `[out]`,
/// output `[n, out]`. Inputs of higher rank are flattened per sample.
public struct Linear: Layer {
    public let inputDimensions: Int
    public let outputDimensions: Int

    public init(inputDimensions: Int, outputDimensions: Int) {
        self.inputDimensions = inputDimensions
        self.outputDimensions = outputDimensions
    }

    public var parameterShapes: [(name: String, shape: [Int])] {
        [("weight", [outputDimensions, inputDimensions]), ("bias", [outputDimensions])]
    }

    public func initialParameters(_ random: inout RandomStream) -> [Tensor] {
        [Initialization.kaimingUniform(shape: [outputDimensions, inputDimensions], fanIn: inputDimensions, &random),
         Initialization.uniform(shape: [outputDimensions], bound: 1 / Double(inputDimensions).squareRoot(), &random)]
    }

    public func outputShape(for inputShape: [Int]) -> [Int] { [outputDimensions] }

    public func forward(_ input: Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache) {
        let x = input.reshaped([input.rowCount, inputDimensions])
        let weight = parameters[parameters.startIndex], bias = parameters[parameters.startIndex + 1]
        var y = x.matmul(weight, transposeOther: .transposed)          // [n, out]
        y.addRowVector(bias)
        return (y, context.keepsCaches ? LayerCache(tensor: x, shape: input.shape) : .empty)
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, parameters: ArraySlice<Tensor>,
                         needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        guard let x = cache.tensor else { preconditionFailure("Linear.backward without a training forward pass") }
        let weight = parameters[parameters.startIndex]
        let dWeight = outputGradient.matmul(x, transposeSelf: .transposed)  // [out, n] · [n, in]
        let dBias = outputGradient.columnSums()
        let dInput = needsInputGradient ? outputGradient.matmul(weight).reshaped(cache.shape) : nil  // [n, out] · [out, in]
        return (dInput, [dWeight, dBias])
    }
}
