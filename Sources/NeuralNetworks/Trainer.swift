import Tensors

/// What a network is trained to predict.
public enum TrainingTargets: Sendable {
    /// Class indices in 0..<classes (softmax cross-entropy).
    case classes([Int32], classes: Int)
    /// Real values `[n, outputs]` (mean squared error).
    case values(Tensor)

    public var count: Int {
        switch self {
        case .classes(let labels, _): return labels.count
        case .values(let values): return values.rowCount
        }
    }
}

/// How to train.
public struct TrainingConfiguration: Equatable, Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var optimizer: Optimizer
    public var learningRate: Float
    /// Epochs at which the rate is multiplied by `gamma`.
    public var milestones: [Int]
    public var gamma: Float
    /// The noise-stability code's rule: while the whole training set fits in
    /// one batch, use the class-balanced loss (Σ over classes of per-class
    /// mean cross-entropy); otherwise the plain mean.
    public var classBalancedWhenSingleBatch: Bool

    public init(epochs: Int, batchSize: Int, optimizer: Optimizer = .adamDefaults, learningRate: Float,
                milestones: [Int] = [], gamma: Float = 0.1, classBalancedWhenSingleBatch: Bool = false) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.milestones = milestones
        self.gamma = gamma
        self.classBalancedWhenSingleBatch = classBalancedWhenSingleBatch
    }

    public var schedule: MultiStepSchedule {
        MultiStepSchedule(baseRate: learningRate, milestones: milestones, gamma: gamma)
    }
}

/// Everything needed to continue training exactly: parameters, optimiser
/// moments and step, the number of finished epochs, and the loss curve.
public struct TrainerState: Equatable, Sendable {
    public var parameters: ParameterSet
    public var optimizer: OptimizerState
    public var epochsCompleted: Int
    /// Mean training loss of each finished epoch.
    public var epochLosses: [Double]

    public init(parameters: ParameterSet, optimizer: OptimizerState, epochsCompleted: Int = 0, epochLosses: [Double] = []) {
        self.parameters = parameters
        self.optimizer = optimizer
        self.epochsCompleted = epochsCompleted
        self.epochLosses = epochLosses
    }
}

/// Mini-batch training. Epoch e visits the samples in the order of a
/// permutation drawn from stream (seed, "batch-order", e), and batch b of
/// epoch e draws its dropout masks from (seed, "dropout", e, b); so training
/// resumed from the state after any epoch continues bit-identically.
public struct Trainer: Sendable {
    public let network: Network
    public let configuration: TrainingConfiguration
    public let seed: UInt64

    public init(network: Network, configuration: TrainingConfiguration, seed: UInt64) {
        self.network = network
        self.configuration = configuration
        self.seed = seed
    }

    public func initialState(parameters: ParameterSet) -> TrainerState {
        TrainerState(parameters: parameters, optimizer: configuration.optimizer.initialState(for: parameters))
    }

    /// Trains from `state.epochsCompleted` up to `configuration.epochs`,
    /// calling `afterEpoch` with the state after every epoch (to checkpoint,
    /// report progress, or throw to stop at this safe point).
    public func train(_ state: inout TrainerState, features: Tensor, targets: TrainingTargets) {
        train(&state, features: features, targets: targets) { _ in }
    }

    /// As `train(_:features:targets:)`, calling `afterEpoch` after each epoch.
    public func train(_ state: inout TrainerState, features: Tensor, targets: TrainingTargets,
                      afterEpoch: (TrainerState) throws -> Void) rethrows {
        precondition(features.rowCount == targets.count, "features and targets differ in count")
        let classWeights = balancedWeights(targets)
        while state.epochsCompleted < configuration.epochs {
            let loss = runEpoch(state.epochsCompleted, &state, features: features, targets: targets, classWeights: classWeights)
            state.epochsCompleted += 1
            state.epochLosses.append(loss)
            try afterEpoch(state)
        }
    }

    private func balancedWeights(_ targets: TrainingTargets) -> [Float]? {
        guard configuration.classBalancedWhenSingleBatch, targets.count <= configuration.batchSize,
              case .classes(let labels, let classes) = targets else { return nil }
        return Loss.classBalancedWeights(labels: labels, classes: classes)
    }

    /// One pass over the data; returns the sample-weighted mean batch loss.
    private func runEpoch(_ epoch: Int, _ state: inout TrainerState, features: Tensor, targets: TrainingTargets,
                          classWeights: [Float]?) -> Double {
        let n = features.rowCount
        guard n > 0 else { return 0 }
        var orderStream = RandomStream(seed: seed, purpose: "batch-order", UInt64(epoch))
        let order = orderStream.permutation(n)
        let rate = configuration.schedule.rate(epoch: epoch)
        let batch = max(1, configuration.batchSize)
        var totalLoss = 0.0
        for (b, start) in stride(from: 0, to: n, by: batch).enumerated() {
            let indices = Array(order[start..<min(n, start + batch)])
            var context = ForwardContext(mode: .training,
                                         random: RandomStream(seed: seed, purpose: "dropout", UInt64(epoch), UInt64(b)))
            let pass = network.forward(features.gatherRows(indices), parameters: state.parameters, context: &context)
            let (loss, gradient): (Double, Tensor)
            switch targets {
            case .classes(let labels, _):
                (loss, gradient) = Loss.softmaxCrossEntropy(logits: pass.output, labels: indices.map { labels[$0] },
                                                            classWeights: classWeights)
            case .values(let values):
                (loss, gradient) = Loss.meanSquaredError(predictions: pass.output, targets: values.gatherRows(indices))
            }
            let gradients = network.backward(pass, outputGradient: gradient, parameters: state.parameters)
            configuration.optimizer.step(&state.parameters, gradients: gradients, state: &state.optimizer, learningRate: rate)
            totalLoss += loss * Double(indices.count)
        }
        return totalLoss / Double(n)
    }
}
