import Tensors

/// 2-D convolution over NHWC images through im2col and one GEMM.
///
/// Shapes: input `[n, h, w, c]`, weight `[out, kh, kw, c]` (channels last, to
/// match the im2col patch order), bias `[out]`, output `[n, oh, ow, out]`.
/// Initialised like PyTorch's `Conv2d` (fan_in = c · kh · kw).
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
        [("weight", [outputChannels, kernelSize, kernelSize, inputChannels]), ("bias", [outputChannels])]
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

    public func forward(_ input: Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache) {
        precondition(input.rank == 4 && input.shape[3] == inputChannels, "Conv2D expects [n, h, w, \(inputChannels)], got \(input.shape)")
        let g = geometry(Array(input.shape.dropFirst()))
        let weight = parameters[parameters.startIndex].reshaped([outputChannels, patchSize])
        let bias = parameters[parameters.startIndex + 1]
        let columns = Im2Col.columns(input, g)                              // [n·oh·ow, kh·kw·c]
        var y = columns.matmul(weight, transposeOther: .transposed)          // [n·oh·ow, out]
        y.addRowVector(bias)
        let output = y.reshaped([input.rowCount, g.outputHeight, g.outputWidth, outputChannels])
        return (output, context.keepsCaches ? LayerCache(tensor: columns, shape: input.shape) : .empty)
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, parameters: ArraySlice<Tensor>,
                         needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        guard let columns = cache.tensor else { preconditionFailure("Conv2D.backward without a training forward pass") }
        let dY = outputGradient.reshaped([columns.rowCount, outputChannels])
        // dWᵀ = colsᵀ · dY has many rows (kh·kw·c), so it splits into parallel row blocks.
        let dWeight = columns.matmul(dY, transposeSelf: .transposed).transposed()
            .reshaped(parameterShapes[0].shape)
        let dBias = dY.columnSums()
        var dInput: Tensor?
        if needsInputGradient {
            let weight = parameters[parameters.startIndex].reshaped([outputChannels, patchSize])
            let dColumns = dY.matmul(weight)                                 // [n·oh·ow, kh·kw·c]
            dInput = Im2Col.images(fromColumns: dColumns, count: cache.shape[0], geometry(Array(cache.shape.dropFirst())))
        }
        return (dInput, [dWeight, dBias])
    }
}
