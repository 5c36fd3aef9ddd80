import ArtifactStore
import Execution
import Foundation
import NeuralNetworks
import Tensors
import Workflows

/// Computes the stages of a plan: each one a pure function of its input
/// objects, its parameters and its seed, returning everything it passes on.
public struct StageComputer: Sendable {
    public let plan: Plan
    /// Training writes a checkpoint after an epoch once this many seconds
    /// of training have passed since the last one (0: after every epoch).
    public let checkpointInterval: Double

    public init(plan: Plan, checkpointInterval: Double = 0.25) {
        self.plan = plan
        self.checkpointInterval = checkpointInterval
    }

    public func compute(_ stage: RunnerStage, _ context: StageContext) throws -> ArtifactContent {
        guard let planned = plan.stage(stage.id) else { throw StageError.malformedInput(stage: stage.id, what: "not in the plan") }
        let inputs = try planned.inputs.map { try input($0, context) }
        let seed = Self.seed(of: planned.digest)
        switch planned.task {
        case .load(let spec):
            return try LoadStage.compute(spec)
        case .initialSelection(let initial, let cover, let candidates):
            return try SelectStage.initial(load: inputs[0], initial: initial, cover: cover, candidates: candidates,
                                           seed: planned.seed ?? 0)
        case .train(let model, let train, let cycle, let warm, let balanced):
            return try TrainStage.compute(load: inputs[0], selection: inputs[1], previous: warm ? inputs.last : nil, model: model,
                                          train: train, cycle: cycle, workflowSeed: planned.seed ?? 0, streamSeed: seed,
                                          classBalanced: balanced, checkpointInterval: checkpointInterval, context: context)
        case .perturb(let family, let samples, let noise, let dropout, let output):
            return try PerturbStage.compute(load: inputs[0], train: inputs[1], selection: inputs[2], model: plan.workflow.model,
                                            family: family, samples: samples, noise: noise, dropout: dropout, output: output, seed: seed)
        case .score(let kind, let parameters, let model):
            return try ScoreStage.compute(kind: kind, parameters: parameters, model: model, load: inputs[0], train: inputs[1],
                                          selection: inputs[2], perturb: inputs.count > 3 ? inputs[3] : nil)
        case .query(let kind, let parameters, let query, let candidates, let cycle):
            let perturb = inputs.first { plan.stage($0.id)?.kind == .perturb }
            let score = inputs.first { plan.stage($0.id)?.kind == .score }
            return try SelectStage.query(kind: kind, parameters: parameters, load: inputs[0], previous: inputs[1], score: score,
                                         perturb: perturb, query: query, candidates: candidates, cycle: cycle,
                                         workflowSeed: planned.seed ?? 0, streamSeed: seed)
        case .evaluate(let metrics):
            return try EvaluateStage.compute(load: inputs[0], train: inputs[1], model: plan.workflow.model, metrics: metrics)
        }
    }

    func input(_ id: String, _ context: StageContext) throws -> Input {
        guard let stage = plan.stage(id) else { throw StageError.malformedInput(stage: id, what: "not in the plan") }
        switch try context.store.read(stage.digest) {
        case .hit(let artifact): return Input(id: id, artifact: artifact)
        case .missing: throw StageError.malformedInput(stage: id, what: "its object is missing from the store")
        case .damaged(let reason): throw StageError.malformedInput(stage: id, what: "its object was damaged (\(reason))")
        }
    }

    /// A stage's random streams are keyed by its cache key (which includes the workflow seed).
    static func seed(of digest: String) -> UInt64 {
        UInt64(digest.prefix(16), radix: 16) ?? 0
    }
}

/// The network of a workflow for data of a given shape.
enum Networks {
    static func architecture(_ model: ModelSpec) -> Architecture {
        switch model.kind {
        case .mlp: return .mlp(hidden: model.hidden, dropout: Float(model.dropout))
        case .smallnet: return .smallNet(dropout: Float(model.dropout))
        case .regressionMLP: return .regressionMLP(dropout: Float(model.dropout))
        case .linear: return .linear
        }
    }

    static func make(_ model: ModelSpec, load: Input, dropout: Double? = nil) throws -> Network {
        var architecture = architecture(model)
        if let dropout { architecture = architecture.withDropout(Float(dropout)) }
        let shape = try LoadStage.featureShape(load)
        if let problem = architecture.incompatibility(inputShape: shape) { throw StageError.invalidData(problem) }
        let outputs = try LoadStage.isClassification(load) ? try load.integer("classes") : 1
        return Network.make(architecture, inputShape: shape, outputs: outputs)
    }

    static func parameters(_ train: Input, for network: Network) throws -> ParameterSet {
        var set = ParameterSet()
        for name in network.parameterNames { set.append(name, try train.floats("parameters/" + name)) }
        return set
    }
}
