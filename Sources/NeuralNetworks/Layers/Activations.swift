import Tensors

/// Rectified linear unit, element-wise: `y = max(x, 0)`. Any shape.
public struct ReLU: Layer {
    public init() {}

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache) {
        let output = input.map { $0 > 0 ? $0 : 0 }
        return (output, context.keepsCaches ? LayerCache(tensor: output) : .empty)
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, parameters: ArraySlice<Tensor>,
                         needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        guard let output = cache.tensor else { preconditionFailure("ReLU.backward without a training forward pass") }
        var gradient = outputGradient
        for i in 0..<gradient.count where output.scalars[i] <= 0 { gradient.scalars[i] = 0 }
        return (gradient, [])
    }
}

/// Flattens each sample: `[n, d1, d2, …]` → `[n, d1·d2·…]` (no data movement).
public struct Flatten: Layer {
    public init() {}

    public func outputShape(for inputShape: [Int]) -> [Int] { [inputShape.reduce(1, *)] }

    public func forward(_ input: Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache) {
        (input.reshaped([input.rowCount, input.rowWidth]), LayerCache(shape: input.shape))
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, parameters: ArraySlice<Tensor>,
                         needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        (outputGradient.reshaped(cache.shape), [])
    }
}

/// 2-D max pooling over NHWC images, square window and stride `window`.
public struct MaxPool2D: Layer {
    public let window: Int

    public init(window: Int) { self.window = window }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        [inputShape[0] / window, inputShape[1] / window, inputShape[2]]
    }

    public func forward(_ input: Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache) {
        let (output, argmax) = MaxPooling.forward(input, window: window)
        return (output, context.keepsCaches ? LayerCache(indices: argmax, shape: input.shape) : .empty)
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, parameters: ArraySlice<Tensor>,
                         needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        (MaxPooling.backward(outputGradient, argmax: cache.indices, inputShape: cache.shape), [])
    }
}

/// Inverted dropout: in training (or MC-dropout inference) each value is kept
/// with probability 1 − p and scaled by 1/(1 − p); otherwise the identity.
/// Masks come from the context's random stream, never from a global generator.
public struct Dropout: Layer {
    public let probability: Float

    public init(probability: Float) { self.probability = probability }

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache) {
        guard context.dropoutActive, probability > 0 else { return (input, .empty) }
        guard var random = context.random else { preconditionFailure("active dropout needs a random stream in the context") }
        let scale = 1 / (1 - probability)
        var mask = Tensor(shape: input.shape)
        for i in 0..<mask.count where random.nextUniformFloat() >= probability { mask.scalars[i] = scale }
        context.random = random
        var output = input
        for i in 0..<output.count { output.scalars[i] *= mask.scalars[i] }
        return (output, context.keepsCaches ? LayerCache(tensor: mask) : .empty)
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, parameters: ArraySlice<Tensor>,
                         needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        guard let mask = cache.tensor else { return (outputGradient, []) }
        var gradient = outputGradient
        for i in 0..<gradient.count { gradient.scalars[i] *= mask.scalars[i] }
        return (gradient, [])
    }
}
