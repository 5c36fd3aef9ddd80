import Foundation
import Tensors

/// Optimisers with PyTorch's update rules.
public enum Optimizer: Equatable, Sendable {
    /// `g ← g + λθ; b ← μb + g (b = g on the first step); θ ← θ − η·b`.
    case sgd(momentum: Float, weightDecay: Float)
    /// Kingma & Ba with PyTorch's bias correction:
    /// `m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
    ///  θ ← θ − (η/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)`, with `g ← g + λθ` first.
    case adam(beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float)

    public static let adamDefaults = Optimizer.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0)

    /// Implementation versions (part of every training stage's key): bump one when its update rule changes.
    public static let sgdVersion = 1
    public static let adamVersion = 1

    /// Fresh optimiser state (zero moments) for `parameters`.
    public func initialState(for parameters: ParameterSet) -> OptimizerState {
        switch self {
        case .sgd(let momentum, _):
            return OptimizerState(step: 0, firstMoment: momentum > 0 ? parameters.zeros() : ParameterSet())
        case .adam:
            return OptimizerState(step: 0, firstMoment: parameters.zeros(), secondMoment: parameters.zeros())
        }
    }

    /// One update of every parameter with `gradients` at `learningRate`.
    public func step(_ parameters: inout ParameterSet, gradients: ParameterSet, state: inout OptimizerState, learningRate: Float) {
        precondition(parameters.hasSameLayout(as: gradients), "gradients do not match parameters")
        state.step += 1
        switch self {
        case .sgd(let momentum, let weightDecay):
            let first = state.step == 1
            for p in 0..<parameters.count {
                gradients.tensors[p].scalars.withUnsafeBufferPointer { g in
                    parameters.tensors[p].scalars.withUnsafeMutableBufferPointer { theta in
                        guard momentum > 0 else {
                            for i in theta.indices { theta[i] -= learningRate * (g[i] + weightDecay * theta[i]) }
                            return
                        }
                        state.firstMoment.tensors[p].scalars.withUnsafeMutableBufferPointer { buffer in
                            for i in theta.indices {
                                let grad = g[i] + weightDecay * theta[i]
                                buffer[i] = first ? grad : momentum * buffer[i] + grad
                                theta[i] -= learningRate * buffer[i]
                            }
                        }
                    }
                }
            }
        case .adam(let beta1, let beta2, let epsilon, let weightDecay):
            let t = Double(state.step)
            let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
            let rootCorrection2 = Float((1 - pow(Double(beta2), t)).squareRoot())
            for p in 0..<parameters.count {
                gradients.tensors[p].scalars.withUnsafeBufferPointer { g in
                    parameters.tensors[p].scalars.withUnsafeMutableBufferPointer { theta in
                        state.firstMoment.tensors[p].scalars.withUnsafeMutableBufferPointer { m in
                            state.secondMoment.tensors[p].scalars.withUnsafeMutableBufferPointer { v in
                                Self.adamUpdate(theta: theta.baseAddress!, m: m.baseAddress!, v: v.baseAddress!, g: g.baseAddress!,
                                                count: theta.count, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                                weightDecay: weightDecay, stepSize: stepSize, rootCorrection2: rootCorrection2)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The element-wise Adam update, over pointers so that it vectorises,
    /// in parallel over fixed ranges (each element is independent).
    private static func adamUpdate(theta: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                                   g: UnsafePointer<Float>, count: Int, beta1: Float, beta2: Float, epsilon: Float,
                                   weightDecay: Float, stepSize: Float, rootCorrection2: Float) {
        Parallel.forEachRange(count: count, grain: 1 << 15) { range in
            let (t, mm, vv, gg) = (theta + range.lowerBound, m + range.lowerBound, v + range.lowerBound, g + range.lowerBound)
            // Explicit 8-wide vectors: the compiler cannot prove the four
            // buffers disjoint, so it would not vectorise the scalar loop.
            typealias Vector = SIMD8<Float>
            let vectorCount = range.count / Vector.scalarCount * Vector.scalarCount
            var i = 0
            while i < vectorCount {
                let grad = load(gg + i) + weightDecay * load(t + i)
                let first = beta1 * load(mm + i) + (1 - beta1) * grad
                let second = beta2 * load(vv + i) + (1 - beta2) * grad * grad
                store(first, mm + i)
                store(second, vv + i)
                store(load(t + i) - stepSize * first / (second.squareRoot() / rootCorrection2 + epsilon), t + i)
                i += Vector.scalarCount
            }
            while i < range.count {
                let grad = gg[i] + weightDecay * t[i]
                mm[i] = beta1 * mm[i] + (1 - beta1) * grad
                vv[i] = beta2 * vv[i] + (1 - beta2) * grad * grad
                t[i] -= stepSize * mm[i] / (vv[i].squareRoot() / rootCorrection2 + epsilon)
                i += 1
            }
        }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    private static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    private static func store(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}

/// An optimiser's mutable state: the step count and its moment buffers
/// (SGD: momentum in `firstMoment`; Adam: both moments), each a `ParameterSet`
/// (empty when unused).
public struct OptimizerState: Equatable, Sendable {
    public var step: Int
    public var firstMoment: ParameterSet
    public var secondMoment: ParameterSet

    public init(step: Int, firstMoment: ParameterSet = ParameterSet(), secondMoment: ParameterSet = ParameterSet()) {
        self.step = step
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }
}

/// PyTorch's `MultiStepLR`: the rate is multiplied by `gamma` at each
/// milestone epoch (0-based epochs; the rate for epoch e counts milestones ≤ e).
public struct MultiStepSchedule: Equatable, Sendable {
    public let baseRate: Float
    public let milestones: [Int]
    public let gamma: Float

    public init(baseRate: Float, milestones: [Int], gamma: Float = 0.1) {
        self.baseRate = baseRate
        self.milestones = milestones
        self.gamma = gamma
    }

    public func rate(epoch: Int) -> Float {
        let passed = milestones.filter { $0 <= epoch }.count
        return Float(Double(baseRate) * pow(Double(gamma), Double(passed)))
    }
}
