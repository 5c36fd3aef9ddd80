import ArtifactStore
import Execution
import Foundation
import HDF5
import NeuralNetworks
import Tensors
import Workflows

/// train: trains the workflow's network on the labelled set of its
/// selection. A fresh network of cycle c starts from stream (workflow seed,
/// "init", c) — identical for every strategy, as in the noise-stability
/// code; `restart: warm` starts from the previous cycle's weights instead.
/// Batch orders and dropout masks come from streams keyed by the stage's
/// cache key. The complete trainer state is checkpointed under `partial/`
/// after an epoch when `checkpoints` says one is due (by default once a
/// second of training has passed and the checkpoints take at most 2 % of
/// it). A killed run resumes from the last checkpoint and ends with the
/// identical object.
///
///     parameters/<name>   one dataset per tensor (e.g. parameters/0.weight)
///     curve/loss          mean training loss per epoch
///     attributes: epochs, samples, architecture
enum TrainStage {
    /// Implementation version (part of every train stage key): bump it whenever what this file computes changes.
    static let version = 1

    static func compute(load: LoadPayload, selection: SelectionPayload, previous: Input?, model: ModelSpec, train: TrainSpec, cycle: Int,
                        workflowSeed: UInt64, streamSeed: UInt64, classBalanced: Bool, checkpoints: CheckpointPolicy,
                        context: StageContext) throws -> ArtifactContent {
        let network = try Networks.make(model, load: load)
        let labeled = selection.labeled
        let features = try load.poolFeatures(labeled)
        let targets: TrainingTargets
        if load.isClassification {
            let labels = try load.poolLabels()
            targets = .classes(labeled.map { labels[$0] }, classes: load.classes)
        } else {
            let values = try load.poolValues()
            targets = .values(Tensor(shape: [labeled.count, 1], scalars: labeled.map { values.scalars[$0] }))
        }
        let configuration = TrainingConfiguration(
            epochs: train.epochs.value, batchSize: train.batchSize.value,
            optimizer: train.optimizer.value == .sgd
                ? .sgd(momentum: Float(train.momentum.value), weightDecay: Float(train.weightDecay.value))
                : .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: Float(train.weightDecay.value)),
            learningRate: Float(train.learningRate.value), milestones: train.milestones.value, gamma: Float(train.gamma.value),
            classBalancedWhenSingleBatch: classBalanced)
        let trainer = Trainer(network: network, configuration: configuration, seed: streamSeed)
        let key = context.stage.key
        var state: TrainerState
        if let checkpoint = context.store.readCheckpoint(key: key), let restored = try? restore(checkpoint, network: network, configuration: configuration) {
            state = restored
            context.progress(Double(state.epochsCompleted) / Double(max(1, configuration.epochs)),
                             "resumed at epoch \(state.epochsCompleted)/\(configuration.epochs)")
        } else {
            var random = RandomStream(seed: workflowSeed, purpose: "init", UInt64(cycle))
            let initial = try previous.map { try Networks.parameters($0, for: network) } ?? network.initialParameters(&random)
            state = trainer.initialState(parameters: initial)
        }
        var lastCheckpoint = Date(), lastCost = 0.0
        try trainer.train(&state, features: features, targets: targets) { current in
            context.progress(Double(current.epochsCompleted) / Double(max(1, configuration.epochs)),
                             "epoch \(current.epochsCompleted)/\(configuration.epochs), loss \(String(format: "%.3f", current.epochLosses.last ?? 0))")
            if current.epochsCompleted < configuration.epochs,
               checkpoints.due(elapsed: Date().timeIntervalSince(lastCheckpoint), lastCost: lastCost) {
                let started = Date()
                try context.store.writeCheckpoint(key: key, kind: "train", content: checkpoint(current), durable: false)
                lastCheckpoint = Date()
                lastCost = lastCheckpoint.timeIntervalSince(started)
            }
            try context.cancellation.check()
        }
        var content = ArtifactContent()
        for (name, tensor) in zip(state.parameters.names, state.parameters.tensors) { content.arrays["parameters/" + name] = HDF5Array(tensor) }
        content.arrays["curve/loss"] = HDF5Array(state.epochLosses)
        content.attributes["epochs"] = .integer(Int64(state.epochsCompleted))
        content.attributes["samples"] = .integer(Int64(labeled.count))
        content.attributes["architecture"] = .string(network.parameterNames.joined(separator: ","))
        return content
    }

    /// The complete trainer state: parameters, both moments, step, epochs, losses.
    static func checkpoint(_ state: TrainerState) -> ArtifactContent {
        var content = ArtifactContent()
        for (name, tensor) in zip(state.parameters.names, state.parameters.tensors) { content.arrays["parameters/" + name] = HDF5Array(tensor) }
        for (group, moments) in [("first", state.optimizer.firstMoment), ("second", state.optimizer.secondMoment)] {
            for (name, tensor) in zip(moments.names, moments.tensors) { content.arrays["optimizer/\(group)/" + name] = HDF5Array(tensor) }
        }
        content.arrays["curve/loss"] = HDF5Array(state.epochLosses)
        content.attributes["epochs"] = .integer(Int64(state.epochsCompleted))
        content.attributes["step"] = .integer(Int64(state.optimizer.step))
        return content
    }

    static func restore(_ content: ArtifactContent, network: Network, configuration: TrainingConfiguration) throws -> TrainerState {
        let input = Input(id: "checkpoint", content: content)
        let parameters = try Networks.parameters(input, for: network)
        var optimizer = configuration.optimizer.initialState(for: parameters)
        optimizer.step = try input.integer("step")
        func moments(_ group: String, like template: ParameterSet) throws -> ParameterSet {
            guard template.count > 0 else { return template }
            var set = ParameterSet()
            for name in template.names { set.append(name, try input.floats("optimizer/\(group)/" + name)) }
            return set
        }
        optimizer.firstMoment = try moments("first", like: optimizer.firstMoment)
        optimizer.secondMoment = try moments("second", like: optimizer.secondMoment)
        return TrainerState(parameters: parameters, optimizer: optimizer, epochsCompleted: try input.integer("epochs"),
                            epochLosses: try input.doubles("curve/loss"))
    }
}
