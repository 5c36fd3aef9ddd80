import ActiveLearning
import Datasets
import NeuralNetworks
import Tensors

/// A small in-process active-learning loop for integration tests: the same
/// protocol the executor runs, without the store.
struct LoopHarness {
    enum Strategy: String, CaseIterable {
        case random, entropy, margin, leastConfidence, noiseStability, coreset, badge, ibal, ibalD, entropyDistance
    }

    let data: Dataset
    let architecture: Architecture
    let epochs: Int
    let batchSize: Int
    let initial: Int
    let query: Int
    let cycles: Int
    let candidates: Int?

    var classes: Int { data.task.classCount ?? 1 }

    func labels(_ samples: LabeledSamples) -> [Int32] {
        if case .classes(let c) = samples.targets { return c }
        return []
    }

    /// Test accuracy after each cycle, and the labelled-set sizes.
    func run(_ strategy: Strategy, seed: UInt64) throws -> (budgets: [Int], accuracies: [Double]) {
        let poolLabels = labels(data.train)
        var labeled = try LoopSupport.initialSelection(labels: poolLabels, poolSize: data.train.count, count: initial,
                                                       classes: classes, coverEveryClass: true, seed: seed)
        let network = Network.make(architecture, inputShape: data.featureShape, outputs: classes)
        var budgets: [Int] = [], accuracies: [Double] = []
        for cycle in 0..<cycles {
            var random = RandomStream(seed: seed, purpose: "init", UInt64(cycle))
            let trainer = Trainer(network: network, configuration: TrainingConfiguration(
                epochs: epochs, batchSize: batchSize, learningRate: 1e-3, classBalancedWhenSingleBatch: true), seed: seed &+ UInt64(cycle))
            var state = trainer.initialState(parameters: network.initialParameters(&random))
            let subset = data.train.subset(labeled)
            trainer.train(&state, features: subset.features, targets: .classes(labels(subset), classes: classes))
            let predictions = network.infer(data.test.features, parameters: state.parameters).outputs.argmaxRows()
            let truth = labels(data.test)
            budgets.append(labeled.count)
            accuracies.append(Double(zip(predictions, truth).filter { $0 == Int($1) }.count) / Double(truth.count))
            guard cycle < cycles - 1 else { break }
            let pool = LoopSupport.candidates(poolSize: data.train.count, labeled: labeled, count: candidates, cycle: cycle, seed: seed)
            let picks = select(strategy, network: network, parameters: state.parameters, pool: pool, labeled: labeled, seed: seed &+ UInt64(cycle))
            labeled += picks.map { pool[$0] }
        }
        return (budgets, accuracies)
    }

    func select(_ strategy: Strategy, network: Network, parameters: ParameterSet, pool: [Int], labeled: [Int], seed: UInt64) -> [Int] {
        let x = data.train.features.gatherRows(pool)
        let inference = network.infer(x, parameters: parameters)
        let p = inference.outputs.softmaxRows()
        let labeledEmbeddings = { network.infer(data.train.features.gatherRows(labeled), parameters: parameters).embeddings }
        switch strategy {
        case .random:
            var random = RandomStream(seed: seed, purpose: "random-query")
            return random.sample(Array(0..<pool.count), count: query)
        case .entropy: return Ranking.top(UncertaintyScores.entropy(p), count: query)
        case .margin: return Ranking.top(UncertaintyScores.margin(p), count: query)
        case .leastConfidence: return Ranking.top(UncertaintyScores.leastConfidence(p), count: query)
        case .noiseStability:
            let d = NoiseStability.deviations(network: network, parameters: parameters, candidates: x, noise: 0.001, samples: 30,
                                              output: .probabilities, seed: seed)
            return NoiseStability.select(deviations: d, count: query)
        case .coreset:
            return KCenterGreedy.select(points: inference.embeddings, count: query, centers: labeledEmbeddings())
        case .badge:
            return BADGE.select(classFactors: BADGE.classFactors(probabilities: p), embeddings: inference.embeddings, count: query, seed: seed)
        case .ibal, .ibalD:
            let scores = IBAL.importance(probabilities: p, candidateEmbeddings: inference.embeddings, labeledEmbeddings: labeledEmbeddings(),
                                         labels: labeled.map { labels(data.train)[$0] }, lambda: 0.003, variant: .a)
            if strategy == .ibal { return IBAL.select(importance: scores, count: query) }
            return IBAL.selectWithDistance(importance: scores, candidateEmbeddings: inference.embeddings,
                                           labeledEmbeddings: labeledEmbeddings(), gamma: 1, count: query)
        case .entropyDistance:
            return DistanceGreedy.select(scores: UncertaintyScores.entropy(p), candidateEmbeddings: inference.embeddings,
                                         labeledEmbeddings: labeledEmbeddings(), gamma: 1, count: query)
        }
    }

    /// Mean AUBC over seeds for each strategy.
    func meanAUBC(_ strategies: [Strategy], seeds: [UInt64]) throws -> [Strategy: Double] {
        var result: [Strategy: Double] = [:]
        for strategy in strategies {
            var total = 0.0
            for seed in seeds {
                let (budgets, accuracies) = try run(strategy, seed: seed)
                total += AUBC.area(budgets: budgets, values: accuracies) ?? 0
            }
            result[strategy] = total / Double(seeds.count)
        }
        return result
    }
}
