import Tensors

/// 2-D convolution over NHWC images through im2col and one GEMM.
///
/// Shapes: input `[n, h, w, c]`, weight `[kh, kw, c, out]` (the im2col patch
/// order by the output channels, so the forward product needs no transpose),
/// bias `[out]`, output `[n, oh, ow, out]`. Initialised like PyTorch's
/// `Conv2d` (fan_in = c · kh · kw).
public struct Conv2D: Layer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int

    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    var patchSize: Int { kernelSize * kernelSize * inputChannels }

    public var parameterShapes: [(name: String, shape: [Int])] {
        [("weight", [kernelSize, kernelSize, inputChannels, outputChannels]), ("bias", [outputChannels])]
    }

    public func initialParameters(_ random: inout RandomStream) -> [Tensor] {
        [Initialization.kaimingUniform(shape: parameterShapes[0].shape, fanIn: patchSize, &random),
         Initialization.uniform(shape: [outputChannels], bound: 1 / Double(patchSize).squareRoot(), &random)]
    }

    func geometry(_ shape: [Int]) -> ConvolutionGeometry {
        ConvolutionGeometry(height: shape[0], width: shape[1], channels: shape[2],
                            kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride, padding: padding)
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        let g = geometry(inputShape)
        return [g.outputHeight, g.outputWidth, outputChannels]
    }

    public func forward(_ input: consuming Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache) {
        let x = input
        let output = forwardRows(of: x, 0..<x.rowCount, parameters: parameters, context: &context)
        return (output, context.keepsCaches ? LayerCache(tensor: x) : .empty)
    }

    public func forwardRows(of input: Tensor, _ rows: Range<Int>, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> Tensor {
        precondition(input.rank == 4 && input.shape[3] == inputChannels, "Conv2D expects [n, h, w, \(inputChannels)], got \(input.shape)")
        let weight = parameters[parameters.startIndex].reshaped([patchSize, outputChannels])
        return Convolution.forward(input, samples: rows, weight: weight, bias: parameters[parameters.startIndex + 1],
                                   geometry(Array(input.shape.dropFirst())))
    }

    /// Inference over rows `rows` of `input` followed by max pooling with
    /// `window` and, with `rectify`, a ReLU, in one pass (`PooledConvolution`).
    public func forwardPooled(of input: Tensor, _ rows: Range<Int>, parameters: ArraySlice<Tensor>, window: Int, rectify: Bool) -> Tensor {
        let weight = parameters[parameters.startIndex].reshaped([patchSize, outputChannels])
        return PooledConvolution.forward(input, samples: rows, weight: weight, bias: parameters[parameters.startIndex + 1],
                                         geometry(Array(input.shape.dropFirst())), window: window, rectify: rectify)
    }

    /// Training forward pass of this convolution, the max pooling with
    /// `window` after it and the ReLU after that, in one pass over chunks of
    /// samples (`PooledConvolution.trainingForward`); the cache, marked as
    /// folding the next two layers, holds the input, the gradient routes and the window.
    public func forwardPooledTraining(_ input: consuming Tensor, parameters: ArraySlice<Tensor>, window: Int) -> (output: Tensor, cache: LayerCache) {
        let x = input
        let weight = parameters[parameters.startIndex].reshaped([patchSize, outputChannels])
        let (output, routes) = PooledConvolution.trainingForward(x, weight: weight, bias: parameters[parameters.startIndex + 1],
                                                                 geometry(Array(x.shape.dropFirst())), window: window)
        return (output, LayerCache(tensor: x, shape: [window], folded: 2, routes: routes))
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, parameters: ArraySlice<Tensor>,
                         needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        guard let input = cache.tensor else { preconditionFailure("Conv2D.backward without a training forward pass") }
        let weight = parameters[parameters.startIndex].reshaped([patchSize, outputChannels])
        if let routes = cache.routes, let window = cache.shape.first {
            let (dWeight, dBias, dInput) = PooledConvolution.backward(
                input, pooledGradient: outputGradient, routes: routes, weight: weight, geometry(Array(input.shape.dropFirst())),
                window: window, needsInputGradient: needsInputGradient)
            return (dInput, [dWeight.reshaped(parameterShapes[0].shape), dBias])
        }
        let (dWeight, dBias, dInput) = Convolution.backward(input, outputGradient: outputGradient, weight: weight,
                                                            geometry(Array(input.shape.dropFirst())), needsInputGradient: needsInputGradient)
        return (dInput, [dWeight.reshaped(parameterShapes[0].shape), dBias])
    }
}
