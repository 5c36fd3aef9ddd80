import Fingerprints

/// The six kinds of stage (docs/architecture.md §3).
public enum StageKind: String, Sendable, CaseIterable, Encodable {
    case load, select, train, perturb, score, evaluate
}

/// What a stage computes: its specification, every resolved value its
/// computation reads and nothing else. The stage receives exactly this
/// value, and its key is this value's canonical encoding
/// (`CanonicalEncoder`), so nothing reaches a computation without reaching
/// its key.
public enum StageTask: Sendable, Encodable {
    case load(DatasetSpec)
    /// The initial labelled set and the candidates of cycle 0.
    case initialSelection(initial: Int, coverClasses: Bool, candidates: Int?)
    case train(model: ModelSpec, train: TrainSpec, cycle: Int, warm: Bool, classBalanced: Bool)
    /// Noise-stability draws or Monte-Carlo dropout passes over the candidates.
    case perturb(PerturbationRequest, model: ModelSpec)
    /// The strategy's score step, with its score-stage parameters only.
    case score(strategy: StrategyKind, parameters: StrategyParameters, model: ModelSpec)
    /// Picks a batch (with the select-stage parameters), adds it to the labelled set and draws the next candidates.
    case query(strategy: StrategyKind, parameters: StrategyParameters, query: Int, candidates: Int?, cycle: Int)
    case evaluate(metrics: [Metric], model: ModelSpec)
}

/// One node of the DAG.
public struct PlannedStage: Sendable {
    /// Stable and readable: `train/entropy/seed2/cycle4`; shared stages omit the strategy.
    public let id: String
    public let kind: StageKind
    /// Every strategy whose branch uses this stage (empty for `load`).
    public internal(set) var strategies: [String]
    public let seed: UInt64?
    public let cycle: Int?
    public let task: StageTask
    /// Ids of the input stages, in declared order.
    public let inputs: [String]
    public let key: CacheKey
    public let digest: String
    /// The seed of the stage's random streams (see `StreamIdentity`).
    public let streamSeed: UInt64
}

/// The unrolled DAG of a workflow, in topological order.
public struct Plan: Sendable {
    public let workflow: Workflow
    public let stages: [PlannedStage]
    private let positions: [String: Int]

    init(workflow: Workflow, stages: [PlannedStage]) {
        self.workflow = workflow
        self.stages = stages
        var positions: [String: Int] = [:]
        for (index, stage) in stages.enumerated() { positions[stage.id] = index }
        self.positions = positions
    }

    public func stage(_ id: String) -> PlannedStage? { positions[id].map { stages[$0] } }

    /// The evaluate stage of every (strategy, seed, cycle), with the labelled-set size there.
    public struct Measurement: Sendable {
        public let strategy: String
        public let seed: UInt64
        public let cycle: Int
        public let labeled: Int
        public let stageID: String
    }

    public var measurements: [Measurement] {
        var result: [Measurement] = []
        for strategy in workflow.strategies {
            for seed in workflow.seeds.value {
                for cycle in 0..<workflow.loop.cycles.value {
                    let id = Planner.evaluateID(strategy: strategy.name, seed: seed, cycle: cycle)
                    guard let stage = aliases[id] ?? stage(id)?.id else { continue }
                    result.append(Measurement(strategy: strategy.name, seed: seed, cycle: cycle,
                                              labeled: workflow.loop.initial.value + cycle * workflow.loop.query.value, stageID: stage))
                }
            }
        }
        return result
    }

    /// The evaluate stages: what a run must produce.
    public var targets: [String] { stages.filter { $0.kind == .evaluate }.map(\.id) }

    /// Nominal ids that were merged into another stage (same key).
    var aliases: [String: String] = [:]

    /// The id a nominal id resolves to after merging.
    public func resolve(_ id: String) -> String? { aliases[id] ?? positions[id].map { stages[$0].id } }
}
