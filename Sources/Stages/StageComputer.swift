import ArtifactStore
import Execution
import Foundation
import NeuralNetworks
import Strategies
import Datasets
import Tensors
import ActiveLearning
import ExternalModels
import Workflows

/// Computes the stages of a plan: each one a pure function of its input
/// objects, its parameters and its seed, returning everything it passes on.
public struct StageComputer: Sendable {
    public let plan: Plan
    /// When training writes its checkpoints.
    public let checkpoints: CheckpointPolicy
    /// The workers of the workflow's external model, if it has one.
    public let external: ExternalModelRuntime?

    public init(plan: Plan, checkpoints: CheckpointPolicy = .standard, external: ExternalModelRuntime? = nil) {
        self.plan = plan
        self.checkpoints = checkpoints
        self.external = external
    }

    /// The implementation versions of every component, as declared next to its code.
    public static let versions = ImplementationVersions(
        stages: [.load: LoadStage.version, .select: SelectStage.version, .train: TrainStage.version, .perturb: PerturbStage.version,
                 .score: ScoreStage.version, .evaluate: EvaluateStage.version],
        architectures: [.mlp: Architecture.mlp(hidden: [], dropout: 0).version, .smallnet: Architecture.smallNet(dropout: 0).version,
                        .regressionMLP: Architecture.regressionMLP(dropout: 0).version, .linear: Architecture.linear.version,
                        .external: ExternalModelStages.version],
        optimizers: [.adam: Optimizer.adamVersion, .sgd: Optimizer.sgdVersion],
        loaders: ["builtin": max(BuiltinDataset.version, IDXLoader.version, CSVLoader.version, CIFARLoader.version, SVHNLoader.version,
                                 MATLoader.version), "idx": IDXLoader.version, "csv": CSVLoader.version,
                  "npy": max(NPYLoader.version, ArrayLoader.version), "hdf5": ArrayLoader.version, "synthetic": max(SyntheticDataset.version, SyntheticPool.version)],
        perturbations: [.noiseStability: NoiseStability.version, .monteCarloDropout: MonteCarloDropout.version],
        preparation: Preparation.version)

    /// Plans a workflow with this binary's implementation versions.
    public static func plan(_ workflow: Workflow, fileDigests: Planner.FileDigester) throws -> Plan {
        try Planner.plan(workflow, versions: versions, fileDigests: fileDigests)
    }

    /// Computes a stage from its task (its specification) and its inputs, by role.
    public func compute(_ stage: RunnerStage, _ context: StageContext) throws -> ArtifactContent {
        guard let planned = plan.stage(stage.id) else { throw StageError.malformedInput(stage: stage.id, what: "not in the plan") }
        let inputs = try StageInputs(planned, plan: plan) { try input($0, context) }
        let seed = planned.streamSeed
        switch planned.task {
        case .load(let spec):
            return try LoadStage.compute(spec, storeRoot: context.store.layout.root)
        case .initialSelection(let initial, let cover, let candidates):
            return try SelectStage.initial(load: try inputs.load(), initial: initial, cover: cover, candidates: candidates,
                                           seed: planned.seed ?? 0).content
        case .train(let model, let train, let cycle, let warm, let balanced):
            let load = try inputs.load()
            if let runtime = try externalRuntime(model) {
                return try ExternalModelStages.train(runtime, load: load, selection: try inputs.selection(poolSize: load.poolSize),
                                                     previous: warm ? try inputs.previousTrain() : nil, train: train, cycle: cycle,
                                                     workflowSeed: planned.seed ?? 0, streamSeed: seed, classBalanced: balanced, context: context)
            }
            return try TrainStage.compute(load: load, selection: try inputs.selection(poolSize: load.poolSize),
                                          previous: warm ? try inputs.previousTrain() : nil, model: model, train: train, cycle: cycle,
                                          workflowSeed: planned.seed ?? 0, streamSeed: seed, classBalanced: balanced,
                                          checkpoints: checkpoints, context: context)
        case .perturb(let request, let model):
            let load = try inputs.load()
            if let runtime = try externalRuntime(model) {
                return try ExternalModelStages.perturb(runtime, load: load, train: try inputs.train(),
                                                       selection: try inputs.selection(poolSize: load.poolSize), request: request, seed: seed,
                                                       context: context)
            }
            return try PerturbStage.compute(load: load, train: try inputs.train(), selection: try inputs.selection(poolSize: load.poolSize),
                                            model: model, request: request, seed: seed)
        case .score(let kind, let parameters, let model):
            let load = try inputs.load()
            if let runtime = try externalRuntime(model) {
                return try ExternalModelStages.score(runtime, kind: kind, parameters: parameters, load: load, train: try inputs.train(),
                                                     selection: try inputs.selection(poolSize: load.poolSize), perturb: inputs.perturb,
                                                     seed: seed, context: context)
            }
            return try ScoreStage.compute(kind: kind, parameters: parameters, model: model, load: load, train: try inputs.train(),
                                          selection: try inputs.selection(poolSize: load.poolSize), perturb: inputs.perturb, seed: seed)
        case .query(let kind, let parameters, let query, let candidates, let cycle):
            let load = try inputs.load()
            return try SelectStage.query(kind: kind, parameters: parameters, load: load, previous: try inputs.selection(poolSize: load.poolSize),
                                         score: inputs.score, perturb: inputs.perturb, query: query, candidates: candidates, cycle: cycle,
                                         workflowSeed: planned.seed ?? 0, streamSeed: seed).content
        case .evaluate(let metrics, let model):
            if let runtime = try externalRuntime(model) {
                return try ExternalModelStages.evaluate(runtime, load: try inputs.load(), train: try inputs.train(), metrics: metrics,
                                                        context: context)
            }
            return try EvaluateStage.compute(load: try inputs.load(), train: try inputs.train(), model: model, metrics: metrics).content
        }
    }

    /// The runtime for an external model's stage (nil for a built-in model).
    func externalRuntime(_ model: ModelSpec) throws -> ExternalModelRuntime? {
        guard model.kind == .external else { return nil }
        guard let external else { throw StageError.invalidData("the workflow's external model was not started for this command") }
        return external
    }

    func input(_ id: String, _ context: StageContext) throws -> Input {
        guard let stage = plan.stage(id) else { throw StageError.malformedInput(stage: id, what: "not in the plan") }
        switch try context.store.open(stage.digest) {
        case .hit(let object): return Input(id: id, object: object)
        case .missing: throw StageError.malformedInput(stage: id, what: "its object is missing from the store")
        case .damaged(let reason): throw StageError.malformedInput(stage: id, what: "its object was damaged (\(reason))")
        }
    }

}

/// The network of a workflow for data of a given shape.
enum Networks {
    static func architecture(_ model: ModelSpec) -> Architecture {
        switch model.kind {
        case .mlp: return .mlp(hidden: model.hidden, dropout: Float(model.dropout))
        case .smallnet: return .smallNet(dropout: Float(model.dropout))
        case .regressionMLP: return .regressionMLP(dropout: Float(model.dropout))
        case .linear, .external: return .linear
        }
    }

    static func make(_ model: ModelSpec, load: LoadPayload, dropout: Double? = nil) throws -> Network {
        var architecture = architecture(model)
        if let dropout { architecture = architecture.withDropout(Float(dropout)) }
        if let problem = architecture.incompatibility(inputShape: load.featureShape) { throw StageError.invalidData(problem) }
        return Network.make(architecture, inputShape: load.featureShape, outputs: load.isClassification ? load.classes : 1)
    }

    /// The output layer (the last weight and bias) of trained parameters.
    static func head(_ parameters: ParameterSet) throws -> ClassifierHead {
        let count = parameters.names.count
        guard count >= 2, parameters.names[count - 2].hasSuffix(".weight"), parameters.names[count - 1].hasSuffix(".bias") else {
            throw StageError.invalidData("the model has no linear output layer")
        }
        return ClassifierHead(weights: parameters.tensors[count - 2], bias: parameters.tensors[count - 1].scalars)
    }

    static func parameters(_ train: Input, for network: Network) throws -> ParameterSet {
        var set = ParameterSet()
        for name in network.parameterNames { set.append(name, try train.floats("parameters/" + name)) }
        return set
    }
}
