import ActiveLearning
import ArtifactStore
import HDF5
import Strategies
import Tensors
import Workflows

/// select: the labelled set of a cycle and the candidates it queries from.
///
///     labeled      pool indices of the labelled set (in the order they were labelled)
///     candidates   pool indices scored at the end of this cycle
///     picked       the batch this stage added (cycles ≥ 1)
///     attributes: cycle, labeled_count
enum SelectStage {
    /// Implementation version (part of every select stage key): bump it whenever what this file computes changes.
    static let version = 1

    /// Cycle 0: the initial set (covering every class if asked) and the first candidates.
    static func initial(load: Input, initial: Int, cover: Bool, candidates: Int?, seed: UInt64) throws -> ArtifactContent {
        let pool = try LoadStage.poolSize(load)
        let labels = try LoadStage.poolLabels(load)
        let labeled: [Int]
        do {
            labeled = try LoopSupport.initialSelection(labels: labels, poolSize: pool, count: initial,
                                                       classes: labels == nil ? 1 : try load.integer("classes"),
                                                       coverEveryClass: cover, seed: seed)
        } catch let error as LoopSupport.SelectionError {
            throw StageError.invalidData(error.message)
        }
        let next = LoopSupport.candidates(poolSize: pool, labeled: labeled, count: candidates, cycle: 0, seed: seed)
        return content(labeled: labeled, candidates: next, picked: nil, cycle: 0)
    }

    /// Cycle c ≥ 1: the strategy's batch from the previous cycle's candidates.
    static func query(kind: StrategyKind, parameters: StrategyParameters, load: Input, previous: Input, score: Input?,
                      perturb: Input?, query: Int, candidates: Int?, cycle: Int, workflowSeed: UInt64, streamSeed: UInt64) throws -> ArtifactContent {
        let pool = try LoadStage.poolSize(load)
        let labeled = try previous.indices("labeled")
        let offered = try previous.indices("candidates")
        let count = min(query, offered.count)
        let inputs = QueryInputs(count: count, offered: offered.count,
                                 classes: try LoadStage.isClassification(load) ? try load.integer("classes") : 1, seed: streamSeed,
                                 score: try score.map { try ScoreStage.payload($0, candidates: offered.count) },
                                 perturbation: try perturb.map(PerturbStage.payload))
        let picks: [Int]
        do {
            picks = try kind.declaration.select(inputs, parameters)
        } catch let error as StrategyError {
            throw StageError.malformedInput(stage: kind.rawValue, what: error.description)
        }
        guard picks.count == count, Set(picks).count == count, picks.allSatisfy({ $0 >= 0 && $0 < offered.count }) else {
            throw StageError.malformedInput(stage: kind.rawValue, what: "the batch rule returned an invalid batch")
        }
        let chosen = picks.map { offered[$0] }
        let updated = labeled + chosen
        let next = LoopSupport.candidates(poolSize: pool, labeled: updated, count: candidates, cycle: cycle, seed: workflowSeed)
        return content(labeled: updated, candidates: next, picked: chosen, cycle: cycle)
    }

    static func content(labeled: [Int], candidates: [Int], picked: [Int]?, cycle: Int) -> ArtifactContent {
        var content = ArtifactContent(arrays: ["labeled": .indices(labeled), "candidates": .indices(candidates)],
                                      attributes: ["cycle": .integer(Int64(cycle)), "labeled_count": .integer(Int64(labeled.count))])
        if let picked { content.arrays["picked"] = .indices(picked) }
        return content
    }
}
