import ActiveLearning
import ArtifactStore
import HDF5
import Strategies
import Tensors
import Workflows

/// select: the labelled set of a cycle and the candidates it queries from (layout: `SelectionPayload`).
enum SelectStage {
    /// Implementation version (part of every select stage key): bump it whenever what this file computes changes.
    static let version = 1

    /// Cycle 0: the initial set (covering every class if asked) and the first candidates.
    static func initial(load: LoadPayload, initial: Int, cover: Bool, candidates: Int?, seed: UInt64) throws -> SelectionPayload {
        let labels = load.isClassification ? try load.poolLabels() : nil
        let labeled: [Int]
        do {
            labeled = try LoopSupport.initialSelection(labels: labels, poolSize: load.poolSize, count: initial, classes: load.classes,
                                                       coverEveryClass: cover, seed: seed)
        } catch let error as LoopSupport.SelectionError {
            throw StageError.invalidData(error.message)
        }
        let next = LoopSupport.candidates(poolSize: load.poolSize, labeled: labeled, count: candidates, cycle: 0, seed: seed)
        return SelectionPayload(labeled: labeled, candidates: next, picked: nil, cycle: 0)
    }

    /// Cycle c ≥ 1: the strategy's batch from the previous cycle's candidates.
    static func query(kind: StrategyKind, parameters: StrategyParameters, load: LoadPayload, previous: SelectionPayload, score: Input?,
                      perturb: Input?, query: Int, candidates: Int?, cycle: Int, workflowSeed: UInt64,
                      streamSeed: UInt64) throws -> SelectionPayload {
        let offered = previous.candidates
        let count = min(query, offered.count)
        let inputs = QueryInputs(count: count, offered: offered.count, classes: load.classes, seed: streamSeed,
                                 score: try score.map { try ScoreStage.payload($0, candidates: offered.count) },
                                 perturbation: try perturb.map { try PerturbStage.payload($0, candidates: offered.count) })
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
        let updated = previous.labeled + chosen
        let next = LoopSupport.candidates(poolSize: load.poolSize, labeled: updated, count: candidates, cycle: cycle, seed: workflowSeed)
        return SelectionPayload(labeled: updated, candidates: next, picked: chosen, cycle: cycle)
    }
}
