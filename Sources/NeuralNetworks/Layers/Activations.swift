import Tensors

/// Rectified linear unit, element-wise: `y = max(x, 0)`. Any shape.
public struct ReLU: Layer {
    public init() {}

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: consuming Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache) {
        var output = input
        output.rectifyInPlace()
        return (output, context.keepsCaches ? LayerCache(tensor: output) : .empty)
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, parameters: ArraySlice<Tensor>,
                         needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        guard let output = cache.tensor else { preconditionFailure("ReLU.backward without a training forward pass") }
        return (outputGradient.zipMap(output) { g, y in y > 0 ? g : 0 }, [])
    }
}

/// Flattens each sample: `[n, d1, d2, …]` → `[n, d1·d2·…]` (no data movement).
public struct Flatten: Layer {
    public init() {}

    public func outputShape(for inputShape: [Int]) -> [Int] { [inputShape.reduce(1, *)] }

    public func forward(_ input: consuming Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache) {
        let shape = input.shape
        return (input.reshaped([shape.first ?? 1, shape.dropFirst().reduce(1, *)]), LayerCache(shape: shape))
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

    public func forward(_ input: consuming Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache) {
        let output = MaxPooling.forward(input, window: window)
        return (output, context.keepsCaches ? LayerCache(tensor: input, second: output) : .empty)
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, parameters: ArraySlice<Tensor>,
                         needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        guard let input = cache.tensor, let output = cache.second else {
            preconditionFailure("MaxPool2D.backward without a training forward pass")
        }
        return (MaxPooling.backward(outputGradient.reshaped(output.shape), input: input, output: output, window: window), [])
    }
}

/// Inverted dropout: in training (or MC-dropout inference) each value is kept
/// with probability 1 − p and scaled by 1/(1 − p); otherwise the identity.
/// Masks come from the context's random stream, never from a global generator.
public struct Dropout: Layer {
    public let probability: Float

    public init(probability: Float) { self.probability = probability }

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: consuming Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache) {
        guard context.dropoutActive, probability > 0 else { return (input, .empty) }
        guard var random = context.random else { preconditionFailure("active dropout needs a random stream in the context") }
        let scale = 1 / (1 - probability)
        let mask = Tensor(shape: input.shape) { values in
            random.fillUniformFloats(values)
            for i in values.indices { values[i] = values[i] >= probability ? scale : 0 }
        }
        context.random = random
        var output = input
        output.multiplyInPlace(by: mask)
        return (output, context.keepsCaches ? LayerCache(tensor: mask) : .empty)
    }

    public func backward(_ outputGradient: Tensor, cache: LayerCache, parameters: ArraySlice<Tensor>,
                         needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        guard let mask = cache.tensor else { return (outputGradient, []) }
        return (outputGradient.zipMap(mask, *), [])
    }
}
