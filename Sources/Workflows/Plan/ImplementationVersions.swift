import Strategies

/// The implementation version of every component that computes, each
/// declared next to its code: stage kinds in the Stages module, network
/// architectures and optimisers in NeuralNetworks, loaders in Datasets,
/// perturbations in ActiveLearning, strategies in their own files. A key
/// holds the versions of the components its stage uses, so bumping one
/// changes exactly those stages' keys (and, through them, their dependents').
public struct ImplementationVersions: Sendable {
    public var stages: [StageKind: Int]
    public var architectures: [ModelSpec.Kind: Int]
    public var optimizers: [OptimizerChoice: Int]
    /// By source kind (`builtin`, `idx`, `csv`…).
    public var loaders: [String: Int]
    public var perturbations: [PerturbFamily: Int]
    /// Splitting and normalisation (every load stage).
    public var preparation: Int

    public init(stages: [StageKind: Int], architectures: [ModelSpec.Kind: Int], optimizers: [OptimizerChoice: Int],
                loaders: [String: Int], perturbations: [PerturbFamily: Int], preparation: Int) {
        self.stages = stages
        self.architectures = architectures
        self.optimizers = optimizers
        self.loaders = loaders
        self.perturbations = perturbations
        self.preparation = preparation
    }

    /// For planning the shape of a DAG only (validation, rendering): every version 0.
    public static let placeholder = ImplementationVersions(stages: [:], architectures: [:], optimizers: [:], loaders: [:], perturbations: [:],
                                                          preparation: 0)

    /// The components a task uses, `component → version`.
    func components(_ kind: StageKind, _ task: StageTask) -> [String: Int] {
        var result = ["stage." + kind.rawValue: stages[kind] ?? 0]
        func model(_ spec: ModelSpec) { result["architecture." + spec.kind.rawValue] = architectures[spec.kind] ?? 0 }
        switch task {
        case .load(let dataset):
            result["loader." + dataset.source.value.kind] = loaders[dataset.source.value.kind] ?? 0
            result["preparation"] = preparation
        case .initialSelection:
            break
        case .train(let spec, let train, _, _, _):
            model(spec)
            result["optimizer." + train.optimizer.value.rawValue] = optimizers[train.optimizer.value] ?? 0
        case .perturb(let request, let spec):
            model(spec)
            result["perturbation." + request.family.rawValue] = perturbations[request.family] ?? 0
        case .score(let strategy, _, let spec):
            model(spec)
            result["strategy." + strategy.rawValue] = strategy.declaration.version
        case .query(let strategy, _, _, _, _):
            result["strategy." + strategy.rawValue] = strategy.declaration.version
        case .evaluate(_, let spec):
            model(spec)
        }
        return result
    }
}
