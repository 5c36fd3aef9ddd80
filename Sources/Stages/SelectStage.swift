import ActiveLearning
import ArtifactStore
import HDF5
import Tensors
import Workflows

/// select: the labelled set of a cycle and the candidates it queries from.
///
///     labeled      pool indices of the labelled set (in the order they were labelled)
///     candidates   pool indices scored at the end of this cycle
///     picked       the batch this stage added (cycles ≥ 1)
///     attributes: cycle, labeled_count
enum SelectStage {
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
    static func query(kind: StrategyKind, parameters: [String: StrategyParameterValue], load: Input, previous: Input, score: Input?,
                      perturb: Input?, query: Int, candidates: Int?, cycle: Int, workflowSeed: UInt64, streamSeed: UInt64) throws -> ArtifactContent {
        let pool = try LoadStage.poolSize(load)
        let labeled = try previous.indices("labeled")
        let offered = try previous.indices("candidates")
        let count = min(query, offered.count)
        let picks = try pick(kind, parameters, count: count, offered: offered.count, score: score, perturb: perturb, load: load, seed: streamSeed)
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

    static func number(_ parameters: [String: StrategyParameterValue], _ name: String, _ fallback: Double) -> Double {
        switch parameters[name] {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return fallback
        }
    }

    /// Indices into the offered candidates.
    static func pick(_ kind: StrategyKind, _ parameters: [String: StrategyParameterValue], count: Int, offered: Int,
                     score: Input?, perturb: Input?, load: Input, seed: UInt64) throws -> [Int] {
        func need(_ input: Input?, _ name: String) throws -> Input {
            guard let input else { throw StageError.malformedInput(stage: name, what: "missing for \(kind.rawValue)") }
            return input
        }
        switch kind {
        case .random:
            var random = RandomStream(seed: seed, purpose: "random-query")
            return random.sample(Array(0..<offered), count: count)
        case .leastConfidence, .margin, .entropy, .bald, .entropyBayesian:
            return Ranking.top(try need(score, "score").artifact.values("scores") ?? [], count: count)
        case .batchBald:
            let mc = try need(perturb, "perturb")
            return BatchBALD.select(monteCarlo: try mc.floats("probabilities"), passes: try mc.integer("samples"), count: count,
                                    configurations: Int(number(parameters, "configurations", 2000)), seed: seed)
        case .coreset:
            let s = try need(score, "score")
            return KCenterGreedy.select(points: try s.floats("embeddings"), count: count, centers: try s.floats("labeled_embeddings"))
        case .badge:
            let s = try need(score, "score")
            return BADGE.select(classFactors: try s.floats("class_factors"), embeddings: try s.floats("embeddings"), count: count, seed: seed)
        case .typiclust:
            let s = try need(score, "score")
            return TypiClust.select(features: try s.floats("vectors"), labeledCount: try s.integer("labeled_count"), count: count, seed: seed)
        case .probcover:
            let s = try need(score, "score")
            let vectors = try s.floats("vectors")
            let delta = parameters["delta"] == .automatic
                ? ProbCover.automaticDelta(features: vectors, classes: try load.integer("classes"), alpha: number(parameters, "alpha", 0.95), seed: seed)
                : number(parameters, "delta", 0.6)
            return ProbCover.select(features: vectors, labeledCount: try s.integer("labeled_count"), count: count, delta: delta, seed: seed)
        case .vessal:
            return VeSSAL.select(embeddings: try need(score, "score").floats("vectors"), count: count, seed: seed)
        case .noiseStability:
            let rule: NoiseStability.Selection = parameters["selection"] == .text("topk") ? .topK : .kCenter
            return NoiseStability.select(deviations: try need(perturb, "perturb").floats("deviations"), count: count, rule: rule)
        case .ibal:
            return IBAL.select(importance: try need(score, "score").artifact.values("scores") ?? [], count: count)
        case .ibalD:
            let s = try need(score, "score")
            return IBAL.selectWithDistance(importance: s.artifact.values("scores") ?? [], candidateEmbeddings: try s.floats("embeddings"),
                                           labeledEmbeddings: try s.floats("labeled_embeddings"), gamma: number(parameters, "gamma", 1), count: count)
        case .entropyDistance:
            let s = try need(score, "score")
            return DistanceGreedy.select(scores: s.artifact.values("scores") ?? [], candidateEmbeddings: try s.floats("embeddings"),
                                         labeledEmbeddings: try s.floats("labeled_embeddings"), gamma: number(parameters, "gamma", 1), count: count)
        }
    }
}
