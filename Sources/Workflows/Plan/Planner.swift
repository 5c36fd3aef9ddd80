import Fingerprints
import DataCatalog
import Strategies

/// Unrolls a workflow into its stage DAG (docs/architecture.md §3, §4).
///
/// Per seed and strategy, cycle c (0 ≤ c < cycles) has: train(c) on the
/// labelled set of select(c), evaluate(c), and — except after the last
/// cycle — perturb(c) (Noise Stability, MC dropout), score(c) (all but
/// random) and select(c + 1), which picks the batch (reading the score and,
/// if there is one, the perturbation) and draws the next candidates.
/// Inputs are listed as load, previous selection, then the rest. Stages with equal keys are one stage: every strategy of a
/// seed shares load, the initial selection, the first train and its
/// evaluation; strategies with equal perturbations share them too.
public enum Planner {
    /// Content digests of a data source's external files, by role.
    public typealias FileDigester = (DatasetSpec.Source) throws -> [String: String]

    public static func plan(_ workflow: Workflow, versions: ImplementationVersions, fileDigests: FileDigester) throws -> Plan {
        var builder = Builder(versions: versions)
        let load = try builder.add(id: "load", kind: .load, strategy: nil, seed: nil, cycle: nil,
                                   task: .load(workflow.dataset), stream: loadParameters(workflow.dataset),
                                   inputs: [], files: fileDigests(workflow.dataset.source.value), streamFiles: streamFiles)
        let loop = workflow.loop
        for seed in workflow.seeds.value {
            let initial = try builder.add(id: "select/seed\(seed)/cycle0", kind: .select, strategy: nil, seed: seed, cycle: 0,
                                          task: .initialSelection(initial: loop.initial.value, coverClasses: coverClasses(workflow),
                                                                  candidates: loop.candidates.value),
                                          stream: .map(["initial": .int(loop.initial.value),
                                                        "cover_classes": .bool(coverClasses(workflow)),
                                                        "candidates": loop.candidates.value.map(CanonicalValue.int) ?? .null]),
                                          inputs: [load])
            for strategy in workflow.strategies {
                var selection = initial
                var previousTrain: String?
                for cycle in 0..<loop.cycles.value {
                    let scope = cycle == 0 ? nil : strategy.name
                    let train = try builder.add(id: stageID("train", scope, seed, cycle), kind: .train, strategy: strategy.name, seed: seed,
                                                cycle: cycle, task: .train(model: workflow.model, train: workflow.train, cycle: cycle,
                                                                           warm: isWarm(workflow) && previousTrain != nil,
                                                                           classBalanced: classBalanced(workflow)),
                                                stream: trainParameters(workflow, cycle: cycle),
                                                inputs: [load, selection] + (isWarm(workflow) ? previousTrain.map { [$0] } ?? [] : []))
                    try builder.add(id: stageID("evaluate", scope, seed, cycle), kind: .evaluate, strategy: strategy.name, seed: nil,
                                    cycle: cycle, task: .evaluate(metrics: workflow.metrics.value, model: workflow.model),
                                    stream: .map(["metrics": .list(workflow.metrics.value.map { .string($0.rawValue) })]),
                                    inputs: [load, train], nominal: evaluateID(strategy: strategy.name, seed: seed, cycle: cycle))
                    previousTrain = train
                    guard cycle < loop.cycles.value - 1 else { break }
                    var scoreInputs = [load, train, selection]
                    var queryInputs = [load, selection]
                    let declaration = strategy.kind.declaration
                    if let request = declaration.perturbation(strategy.parameters, isClassification: workflow.isClassification) {
                        let perturb = try builder.add(id: stageID("perturb", strategy.name, seed, cycle), kind: .perturb,
                                                      strategy: strategy.name, seed: seed, cycle: cycle,
                                                      task: .perturb(request, model: workflow.model), stream: perturbParameters(request),
                                                      inputs: [load, train, selection])
                        scoreInputs.append(perturb)
                        // The batch rule reads the vectors themselves (deviations, MC probabilities).
                        queryInputs.append(perturb)
                    }
                    if declaration.hasScoreStage {
                        let score = try builder.add(id: stageID("score", strategy.name, seed, cycle), kind: .score, strategy: strategy.name,
                                                    seed: nil, cycle: cycle,
                                                    task: .score(strategy: strategy.kind, parameters: scopedParameters(strategy, .score),
                                                                 model: workflow.model),
                                                    stream: scoped(strategy, .score), inputs: scoreInputs)
                        queryInputs.append(score)
                    }
                    var queryParameters = scoped(strategy, .select)
                    if case .map(var entries) = queryParameters {
                        entries["query"] = .int(loop.query.value)
                        entries["candidates"] = loop.candidates.value.map(CanonicalValue.int) ?? .null
                        entries["cycle"] = .int(cycle + 1)
                        queryParameters = .map(entries)
                    }
                    selection = try builder.add(id: stageID("select", strategy.name, seed, cycle + 1), kind: .select, strategy: strategy.name,
                                                seed: seed, cycle: cycle + 1,
                                                task: .query(strategy: strategy.kind, parameters: scopedParameters(strategy, .select),
                                                             query: loop.query.value, candidates: loop.candidates.value, cycle: cycle + 1),
                                                stream: queryParameters, inputs: queryInputs)
                }
            }
        }
        var plan = Plan(workflow: workflow, stages: builder.stages)
        plan.aliases = builder.aliases
        return plan
    }

    /// The parameters of a strategy that a stage of `scope` reads.
    static func scopedParameters(_ strategy: StrategySpec, _ scope: StageScope) -> StrategyParameters {
        let names = Set(strategy.kind.parameters.filter { $0.scope == scope }.map(\.name))
        return StrategyParameters(strategy.parameters.values.filter { names.contains($0.key) })
    }

    static func stageID(_ kind: String, _ strategy: String?, _ seed: UInt64, _ cycle: Int) -> String {
        strategy.map { "\(kind)/\($0)/seed\(seed)/cycle\(cycle)" } ?? "\(kind)/seed\(seed)/cycle\(cycle)"
    }

    /// The nominal id of a strategy's evaluation (resolved through the plan's aliases).
    static func evaluateID(strategy: String, seed: UInt64, cycle: Int) -> String {
        "evaluate/\(strategy)/seed\(seed)/cycle\(cycle)"
    }

    // MARK: Parameters

    static func coverClasses(_ workflow: Workflow) -> Bool {
        workflow.isClassification && workflow.loop.coverClasses.value
    }

    static func isWarm(_ workflow: Workflow) -> Bool { workflow.train.restart.value == .warm }

    static func classBalanced(_ workflow: Workflow) -> Bool {
        workflow.isClassification && workflow.train.classBalanced.value == .auto
    }

    /// A data set known by name has the random streams of the same files
    /// given by path (so `builtin: mnist` reproduces an `idx:` workflow on
    /// MNIST's files bit for bit): its stream summary is that of the
    /// equivalent local source, and its files enter it by their SHA-256.
    static func streamSource(_ source: DatasetSpec.Source) -> DatasetSpec.Source {
        guard case .builtin(let name) = source, let known = KnownDataset.named(name) else { return source }
        switch known.format {
        case .idx: return .idx(trainImages: "", trainLabels: "", testImages: "", testLabels: "")
        case .csvRegression(_, let target, let drop):
            return .csv(path: "", target: target, drop: drop, missingValues: ["", "NA", "N/A", "NaN", "nan", "null", "NULL"],
                        missingColumns: .drop)
        case .embedded, .cifar10, .cifar100, .svhn: return source
        }
    }

    static func streamFiles(_ files: [String: String]) -> [String: String] {
        files.mapValues { $0.hasPrefix("sha256:") ? String($0.dropFirst(7)) : $0 }
    }

    static func loadParameters(_ dataset: DatasetSpec) -> CanonicalValue {
        let source = streamSource(dataset.source.value)
        var entries: [String: CanonicalValue] = ["source": .string(source.kind), "task": .string(dataset.task.rawValue),
                                                  "normalize": .string(dataset.normalize.value.rawValue)]
        var hasTestSplit = false
        switch source {
        case .builtin(let name):
            entries["builtin"] = .string(name)
        case .idx(_, _, let testImages, _):
            hasTestSplit = testImages != nil
        case .csv(_, let target, let drop, let missing, let columns):
            entries["target"] = .string(target)
            entries["drop"] = .list(drop.map(CanonicalValue.string))
            entries["missing_values"] = .list(missing.sorted().map(CanonicalValue.string))
            entries["missing_columns"] = .string(columns.rawValue)
        case .npy:
            entries["images"] = .bool(dataset.isImage)
        case .hdf5(_, let features, let targets):
            entries["features"] = .string(features)
            entries["targets"] = .string(targets)
            entries["images"] = .bool(dataset.isImage)
        case .synthetic(let sizes, let centers, let spread, let seed):
            entries["sizes"] = .list(sizes.map(CanonicalValue.int))
            entries["centers"] = .list(centers.map { .list($0.map(CanonicalValue.double)) })
            entries["spread"] = .double(spread)
            entries["seed"] = .int(seed)
        case .syntheticPool(let sizes, let dimensions, let spread, let seed, let test):
            entries["generator"] = .string("pool")
            entries["sizes"] = .list(sizes.map(CanonicalValue.int))
            entries["dimensions"] = .int(dimensions)
            entries["spread"] = .double(spread)
            entries["seed"] = .int(seed)
            entries["test"] = .int(test)
            hasTestSplit = true
        }
        if !hasTestSplit {
            entries["test_fraction"] = .double(dataset.testFraction.value)
            entries["split"] = .string(dataset.split.value.rawValue)
            if dataset.split.value == .random { entries["split_seed"] = .int(dataset.splitSeed.value) }
        }
        if dataset.task == .regression { entries["standardize_target"] = .bool(dataset.standardizeTarget.value) }
        return .map(entries)
    }

    static func modelParameters(_ model: ModelSpec) -> CanonicalValue {
        .map(["kind": .string(model.kind.rawValue), "hidden": .list(model.hidden.map(CanonicalValue.int)), "dropout": .double(model.dropout)])
    }

    static func trainParameters(_ workflow: Workflow, cycle: Int) -> CanonicalValue {
        let train = workflow.train
        var entries: [String: CanonicalValue] = [
            "model": modelParameters(workflow.model), "cycle": .int(cycle),
            "epochs": .int(train.epochs.value), "batch_size": .int(train.batchSize.value),
            "optimizer": .string(train.optimizer.value.rawValue), "learning_rate": .double(train.learningRate.value),
            "weight_decay": .double(train.weightDecay.value), "milestones": .list(train.milestones.value.map(CanonicalValue.int)),
            "gamma": .double(train.gamma.value), "restart": .string(train.restart.value.rawValue),
            "class_balanced": .bool(classBalanced(workflow)),
        ]
        if train.optimizer.value == .sgd { entries["momentum"] = .double(train.momentum.value) }
        return .map(entries)
    }

    static func perturbParameters(_ request: PerturbationRequest) -> CanonicalValue {
        var entries: [String: CanonicalValue] = ["family": .string(request.family.rawValue), "samples": .int(request.samples),
                                                  "output": .string(request.output.rawValue)]
        if let noise = request.noise { entries["noise"] = .double(noise) }
        if let dropout = request.dropout { entries["dropout"] = .double(dropout) }
        return .map(entries)
    }

    /// The strategy's kind and the parameters that affect the given stage.
    static func scoped(_ strategy: StrategySpec, _ scope: StageScope) -> CanonicalValue {
        var entries: [String: CanonicalValue] = ["strategy": .string(strategy.kind.rawValue)]
        for parameter in strategy.kind.parameters where parameter.scope == scope {
            guard let value = strategy.parameters[parameter.name] else { continue }
            switch value {
            case .int(let v): entries[parameter.name] = .int(v)
            case .double(let v): entries[parameter.name] = .double(v)
            case .text(let v): entries[parameter.name] = .string(v)
            case .automatic: entries[parameter.name] = .string("auto")
            }
        }
        return .map(entries)
    }
}

/// Accumulates stages, computing keys from their specifications and
/// resolved inputs and merging stages with equal keys.
private struct Builder {
    let versions: ImplementationVersions
    var stages: [PlannedStage] = []
    var streamDigests: [String] = []
    var byDigest: [String: Int] = [:]
    var byID: [String: Int] = [:]
    var aliases: [String: String] = [:]

    init(versions: ImplementationVersions) { self.versions = versions }

    /// `stream` is the stage's frozen stream summary (see `StreamIdentity`).
    @discardableResult
    mutating func add(id: String, kind: StageKind, strategy: String?, seed: UInt64?, cycle: Int?, task: StageTask,
                      stream: CanonicalValue, inputs: [String], files: [String: String] = [:],
                      streamFiles: ([String: String]) -> [String: String] = { $0 }, nominal: String? = nil) throws -> String {
        let positions = inputs.compactMap { byID[$0] }
        let streamDigest = StreamIdentity(kind: kind.rawValue, parameters: stream, seed: seed, inputs: positions.map { streamDigests[$0] },
                                          files: streamFiles(files)).digest
        let key = CacheKey(kind: kind.rawValue, implementation: versions.components(kind, task), specification: try CanonicalEncoder.encode(task),
                           seed: seed, streamSeed: StreamIdentity.seed(of: streamDigest), inputs: positions.map { stages[$0].digest },
                           files: files)
        let digest = key.digest
        if let existing = byDigest[digest] {
            if let strategy, !stages[existing].strategies.contains(strategy) { stages[existing].strategies.append(strategy) }
            if let nominal, nominal != stages[existing].id { aliases[nominal] = stages[existing].id }
            if id != stages[existing].id { aliases[id] = stages[existing].id }
            return stages[existing].id
        }
        let stage = PlannedStage(id: id, kind: kind, strategies: strategy.map { [$0] } ?? [], seed: seed, cycle: cycle,
                                 task: task, inputs: inputs, key: key, digest: digest, streamSeed: key.streamSeed)
        stages.append(stage)
        streamDigests.append(streamDigest)
        byDigest[digest] = stages.count - 1
        byID[id] = stages.count - 1
        if let nominal, nominal != id { aliases[nominal] = id }
        return id
    }
}

extension Planner {
    /// Plans without reading any file (file digests are left out of the keys)
    /// and with placeholder versions: for validation and tests that only
    /// need the shape of the DAG.
    public static func shape(_ workflow: Workflow) -> Plan {
        (try? plan(workflow, versions: .placeholder) { _ in [:] }) ?? Plan(workflow: workflow, stages: [])
    }
}
