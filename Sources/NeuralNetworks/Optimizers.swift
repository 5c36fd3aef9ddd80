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
                                for i in theta.indices {
                                    let grad = g[i] + weightDecay * theta[i]
                                    m[i] = beta1 * m[i] + (1 - beta1) * grad
                                    v[i] = beta2 * v[i] + (1 - beta2) * grad * grad
                                    theta[i] -= stepSize * m[i] / (v[i].squareRoot() / rootCorrection2 + epsilon)
                                }
                            }
                        }
                    }
                }
            }
        }
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
