import Tensors

/// How a forward pass runs.
public struct ForwardContext: Sendable {
    public enum Mode: Sendable {
        /// Dropout active (masks from `random`), caches kept for backward.
        case training
        /// Dropout off unless `monteCarloDropout`; no caches.
        case inference
    }

    public var mode: Mode
    /// Keep dropout active at inference (MC dropout, for BALD and relatives).
    public var monteCarloDropout: Bool
    /// Source of dropout masks; required whenever dropout is active.
    public var random: RandomStream?

    public init(mode: Mode, monteCarloDropout: Bool = false, random: RandomStream? = nil) {
        self.mode = mode
        self.monteCarloDropout = monteCarloDropout
        self.random = random
    }

    public static let inference = ForwardContext(mode: .inference)

    var dropoutActive: Bool { mode == .training || monteCarloDropout }
    var keepsCaches: Bool { mode == .training }
}

/// What a layer keeps from its forward pass for its backward pass.
public struct LayerCache: Sendable {
    public var tensor: Tensor?
    public var second: Tensor?
    public var shape: [Int] = []
    /// How many of the following layers ran inside this layer's forward pass
    /// (`Network.forward`'s fused blocks); their own backward steps are skipped.
    public var folded = 0
    /// The gradient routes of a fused convolution → max pooling → ReLU block
    /// (`PooledConvolution.trainingForward`).
    public var routes: [UInt8]?

    public init(tensor: Tensor? = nil, second: Tensor? = nil, shape: [Int] = [], folded: Int = 0, routes: [UInt8]? = nil) {
        self.tensor = tensor
        self.second = second
        self.shape = shape
        self.folded = folded
        self.routes = routes
    }

    public static let empty = LayerCache()
}

/// A layer with explicit forward and backward passes. Layers hold only
/// configuration; parameters live in a `ParameterSet` and are passed in, so
/// one layer value serves any number of concurrent inference passes.
public protocol Layer: Sendable {
    /// Parameter names and shapes, in order (e.g. `weight`, `bias`).
    var parameterShapes: [(name: String, shape: [Int])] { get }

    /// Fresh parameters, drawn from `random` (PyTorch's default schemes).
    func initialParameters(_ random: inout RandomStream) -> [Tensor]

    /// Per-sample output shape for a per-sample input shape.
    func outputShape(for inputShape: [Int]) -> [Int]

    /// `input` has the batch on its first axis.
    func forward(_ input: consuming Tensor, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> (output: Tensor, cache: LayerCache)

    /// Inference over rows `rows` of `input` (samples on the first axis),
    /// reading them in place instead of copying them out first. The default
    /// copies; layers that read their input once (linear, convolution) override.
    func forwardRows(of input: Tensor, _ rows: Range<Int>, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> Tensor

    /// Gradients with respect to the input (when asked for) and to each parameter.
    func backward(_ outputGradient: Tensor, cache: LayerCache, parameters: ArraySlice<Tensor>,
                  needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor])
}

extension Layer {
    public var parameterShapes: [(name: String, shape: [Int])] { [] }
    public func initialParameters(_ random: inout RandomStream) -> [Tensor] { [] }

    public func forwardRows(of input: Tensor, _ rows: Range<Int>, parameters: ArraySlice<Tensor>, context: inout ForwardContext) -> Tensor {
        forward(input.rows(rows), parameters: parameters, context: &context).output
    }
}
