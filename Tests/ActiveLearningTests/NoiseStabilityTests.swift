import ActiveLearning
import NeuralNetworks
import Tensors
import Testing

@Suite struct NoiseStabilityTests {
    static func model(_ architecture: Architecture = .mlp(hidden: [16], dropout: 0), inputShape: [Int] = [6]) -> (Network, ParameterSet) {
        let network = Network.make(architecture, inputShape: inputShape, outputs: 3)
        var random = RandomStream(seed: 1, purpose: "init")
        return (network, network.initialParameters(&random))
    }

    static func inputs(_ n: Int, _ shape: [Int] = [6]) -> Tensor {
        var random = RandomStream(seed: 2, purpose: "inputs")
        return Tensor(shape: [n] + shape, scalars: (0..<(n * shape.reduce(1, *))).map { _ in Float(random.nextNormal()) })
    }

    @Test func noiseHasExactlyTheRelativeNormPerWeightTensorAndSparesBiases() {
        let (network, parameters) = Self.model()
        var random = RandomStream(seed: 3, purpose: "noise")
        let noisy = NoiseStability.perturbed(parameters, weightNames: network.weightNames, noise: 0.01, random: &random)
        for (index, name) in parameters.names.enumerated() {
            let clean = parameters.tensors[index], perturbed = noisy.tensors[index]
            let difference = perturbed - clean
            if name.hasSuffix(".weight") {
                #expect(abs(difference.norm / clean.norm - 0.01) < 1e-4, "\(name)")
            } else {
                #expect(perturbed == clean, "\(name) must not be perturbed")
            }
        }
    }

    @Test func zeroNoiseGivesZeroDeviationsAndDeviationsGrowWithNoise() {
        let (network, parameters) = Self.model()
        let x = Self.inputs(40)
        let zero = NoiseStability.deviations(network: network, parameters: parameters, candidates: x, noise: 0, samples: 4,
                                             output: .probabilities, seed: 1)
        #expect(zero.shape == [40, 12])
        #expect(zero.scalars.allSatisfy { $0 == 0 })
        var previous = 0.0
        for lambda: Float in [1e-4, 1e-3, 1e-2, 1e-1] {
            let d = NoiseStability.deviations(network: network, parameters: parameters, candidates: x, noise: lambda, samples: 4,
                                              output: .probabilities, seed: 1)
            let mean = NoiseStability.magnitudes(d).reduce(0.0) { $0 + Double($1) } / 40
            #expect(mean > previous * 5, "λ = \(lambda)")
            previous = mean
        }
    }

    /// The batched passes (K first layers in one product) equal separate passes per draw: the k-th block of
    /// every row is one pass with `perturbed(parameters, …)` on stream (seed, "noise-stability", k) from the
    /// clean weights, so draws never accumulate (K = 5 draws, each checked).
    @Test(arguments: [false, true])
    func batchedPerturbedPassesEqualSeparatePasses(convolutional: Bool) {
        let (network, parameters) = convolutional ? Self.model(.smallNet(dropout: 0), inputShape: [16, 16, 1]) : Self.model()
        let x = convolutional ? Self.inputs(37, [16, 16, 1]) : Self.inputs(37)
        let samples = 5
        let d = NoiseStability.deviations(network: network, parameters: parameters, candidates: x, noise: 0.01, samples: samples,
                                          output: .probabilities, seed: 5)
        #expect(d.shape == [37, samples * 3])
        let clean = network.infer(x, parameters: parameters).outputs.softmaxRows()
        let norms = clean.rowNorms()
        for k in 0..<samples {
            var random = RandomStream(seed: 5, purpose: "noise-stability", UInt64(k))
            let noisy = NoiseStability.perturbed(parameters, weightNames: network.weightNames, noise: 0.01, random: &random)
            let p = network.infer(x, parameters: noisy).outputs.softmaxRows()
            for i in 0..<37 {
                for c in 0..<3 {
                    let expected = (p.scalars[i * 3 + c] - clean.scalars[i * 3 + c]) / norms[i]
                    #expect(abs(d.scalars[i * samples * 3 + k * 3 + c] - expected) < 1e-5, "draw \(k), row \(i), class \(c)")
                }
            }
        }
    }

    @Test func selectionRules() {
        // Magnitudes 5, 1, 4.9 (near the first), 3 (opposite): top-k by norm vs k-center diversity.
        let d = Tensor(rows: [[5, 0], [1, 0], [4.9, 0.1], [-3, 0]])
        #expect(NoiseStability.select(deviations: d, count: 2, rule: .topK) == [0, 2])
        #expect(NoiseStability.select(deviations: d, count: 2, rule: .kCenter) == [0, 3])
    }

    @Test func regressionComparesPenultimateFeatures() {
        let network = Network.make(.regressionMLP(dropout: 0), inputShape: [6], outputs: 1)
        var random = RandomStream(seed: 1, purpose: "init")
        let parameters = network.initialParameters(&random)
        let x = Self.inputs(10)
        let d = NoiseStability.deviations(network: network, parameters: parameters, candidates: x, noise: 0.01,
                                          samples: 5, output: .embedding, seed: 2)
        #expect(d.shape == [10, 5 * 32])
        #expect(d.scalars.contains { $0 != 0 })
        // Equal to separate passes on the 32-d features.
        let clean = network.infer(x, parameters: parameters).embeddings
        let norms = clean.rowNorms()
        for k in 0..<5 {
            var random = RandomStream(seed: 2, purpose: "noise-stability", UInt64(k))
            let noisy = NoiseStability.perturbed(parameters, weightNames: network.weightNames, noise: 0.01, random: &random)
            let features = network.infer(x, parameters: noisy).embeddings
            for i in 0..<10 {
                for j in 0..<32 {
                    let expected = (features.scalars[i * 32 + j] - clean.scalars[i * 32 + j]) / norms[i]
                    #expect(abs(d.scalars[i * 160 + k * 32 + j] - expected) < 1e-5)
                }
            }
        }
    }
}

@Suite struct BayesianTests {
    @Test func monteCarloDropoutPassesDifferAndAreReproducible() {
        let (network, parameters) = NoiseStabilityTests.model(.mlp(hidden: [32], dropout: 0.5))
        let x = NoiseStabilityTests.inputs(20)
        let mc = MonteCarloDropout.probabilities(network: network, parameters: parameters, candidates: x, passes: 4, seed: 7)
        #expect(mc.shape == [20, 12])
        for i in 0..<20 { for t in 0..<4 { #expect(abs(mc.scalars[(i * 12 + t * 3)..<(i * 12 + t * 3 + 3)].reduce(0, +) - 1) < 1e-5) } }
        #expect(mc.scalars[0..<3] != mc.scalars[3..<6])
        #expect(mc == MonteCarloDropout.probabilities(network: network, parameters: parameters, candidates: x, passes: 4, seed: 7))
    }

    @Test func batchBALDStartsWithBALDAndAvoidsRedundantCopies() {
        // Candidate 0 and 1 are identical and most informative; 2 is informative on another axis; 3 is certain.
        let passes = 4
        let a: [Float] = [1, 0, 0, 1, 1, 0, 0, 1]        // flips between passes
        let b: [Float] = [1, 0, 1, 0, 0, 1, 0, 1]        // a different disagreement pattern
        let certain: [Float] = [1, 0, 1, 0, 1, 0, 1, 0]
        let mc = Tensor(shape: [4, passes * 2], scalars: a + a + b + certain)
        let bald = UncertaintyScores.bald(mc, passes: passes)
        let picks = BatchBALD.select(monteCarlo: mc, passes: passes, count: 2, configurations: 1000, seed: 1)
        #expect(picks[0] == Ranking.top(bald, count: 1)[0])
        #expect(picks == [0, 2], "the duplicate adds no information; the other pattern does")
        // Sampled joint entropy (tiny configuration budget: 2 classes^|S| ≤ 2 is enumerated for the first two
        // picks, the third samples configurations) still picks sensibly, and reproducibly for one seed.
        let sampled = BatchBALD.select(monteCarlo: mc, passes: passes, count: 3, configurations: 2, seed: 1)
        #expect(sampled.count == 3)
        #expect(Set(sampled).count == 3)
        #expect(sampled.allSatisfy { (0..<4).contains($0) }, "\(sampled)")
        #expect(sampled.first == Ranking.top(bald, count: 1)[0], "the first pick is BALD's")
        #expect(Array(sampled.prefix(2)) == picks, "the enumerated steps agree with the large budget")
        #expect(BatchBALD.select(monteCarlo: mc, passes: passes, count: 3, configurations: 2, seed: 1) == sampled,
                "the same seed samples the same configurations")
    }
}

@Suite struct IBALTests {
    @Test func closedFormEqualsTheDefinition() throws {
        let probabilities = GeometryTests.random(12, 4, seed: 1, scale: 2).softmaxRows()
        let candidates = GeometryTests.random(12, 5, seed: 2), labeled = GeometryTests.random(7, 5, seed: 3)
        let labels: [Int32] = [0, 1, 2, 3, 0, 1, 2]
        let closed = IBAL.importance(probabilities: probabilities, candidateEmbeddings: candidates, labeledEmbeddings: labeled,
                                     labels: labels, lambda: 0.003, variant: .a)
        let definition = IBAL.importanceByDefinition(probabilities: probabilities, candidateEmbeddings: candidates,
                                                     labeledEmbeddings: labeled, labels: labels, lambda: 0.003)
        try #require(closed.count == 12 && definition.count == 12, "\(closed.count) closed-form and \(definition.count) definition scores for 12 candidates")
        for (x, y) in zip(closed, definition) { #expect(abs(x - y) / max(1, abs(y)) < 1e-4) }
        let b = IBAL.importance(probabilities: probabilities, candidateEmbeddings: candidates, labeledEmbeddings: labeled,
                                labels: labels, lambda: 0.003, variant: .b)
        #expect(b.count == 12)
        #expect(b.allSatisfy { $0 >= 0 })
        #expect(b.contains { $0 > 0 }, "variant b scores every uncertain candidate zero")
        // A confident candidate has (almost) no importance.
        let confident = Tensor(rows: [[1, 0, 0, 0]])
        let zero = IBAL.importance(probabilities: confident, candidateEmbeddings: candidates.rows(0..<1), labeledEmbeddings: labeled,
                                   labels: labels, lambda: 0.003, variant: .b)
        #expect(zero == [0])
    }

    @Test func distanceGreedyBalancesScoreAndSpread() {
        let embeddings = Tensor(rows: [[0, 0], [0.1, 0], [5, 5], [0.2, 0]])
        let labeled = Tensor(rows: [[0, 0.05]])
        let scores: [Float] = [1, 0.9, 0.0, 0.8]
        #expect(DistanceGreedy.select(scores: scores, candidateEmbeddings: embeddings, labeledEmbeddings: labeled, gamma: 0, count: 2) == [0, 1])
        #expect(DistanceGreedy.select(scores: scores, candidateEmbeddings: embeddings, labeledEmbeddings: labeled, gamma: 10, count: 2) == [2, 3])
    }

    @Test func representerRefitReproducesThePredictions() {
        var random = RandomStream(seed: 4, purpose: "representer")
        let n = 40, d = 3, classes = 3
        let features = (0..<n).map { _ in (0..<d).map { _ in random.nextNormal() } + [1] }
        let trained = (0..<(d + 1)).map { _ in (0..<classes).map { _ in random.nextNormal() } }
        let soft = features.map { f in RepresenterPoints.softmax((0..<classes).map { c in zip(f, trained).reduce(0.0) { $0 + $1.0 * $1.1[c] } }) }
        let fit = RepresenterPoints.fit(features: features, targets: soft, initial: trained, lambda: 0.003)
        // softmax(Σᵢ αᵢ⟨fᵢ, f_t⟩) is close to the network's own predictions (the authors' sanity check).
        var l1 = 0.0
        for (f, p) in zip(features, soft) {
            let rebuilt = RepresenterPoints.softmax(RepresenterPoints.logits(of: f, features: features, alphas: fit.alphas))
            l1 += zip(rebuilt, p).reduce(0.0) { $0 + abs($1.0 - $1.1) }
        }
        #expect(l1 / Double(n) < 0.15, "mean L1 gap \(l1 / Double(n))")
    }
}
