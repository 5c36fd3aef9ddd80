import Foundation
import ActiveLearning
import Strategies
import Tensors
import TestSupport
import Testing

@Suite struct AlphaMixTests {
    static let numpyAvailable = Tools.python("numpy")

    // MARK: Hand-checked case

    /// d = 2, C = 2, f(x) = (x₀, −x₀): class 0 iff x₀ ≥ 0 (ties go to class 0).
    /// Anchors (2, 0) and (−2, 0). In the closed form ĝ = ∓(1, 0) and
    /// z̃ = z + (cap/√2)·‖a − z‖·ĝ, so a candidate flips once
    /// cap/√2 · max_c ‖a_c − z‖ exceeds |x₀| (≥ for class 1, whose flip lands on the tie):
    ///   A (0.1, 0.5), ŷ=0: cap > 0.0655 → step 3;  B (−0.3, 0), ŷ=1: cap ≥ 0.1845 → step 6;
    ///   C (1, 0), ŷ=0: cap > 0.4714 → step 16;     D (3, 0), ŷ=0: cap > 0.8485 → step 28.
    static let plane = (
        z: Tensor(rows: [[0.1, 0.5], [-0.3, 0], [1, 0], [3, 0]]),
        labeled: Tensor(rows: [[2, 0], [2, 0], [-2, 0]]),
        labels: [Int32(0), 0, 1],
        weights: Tensor(rows: [[1, -1], [0, 0]]))

    static func planeCandidates(count: Int, search: AlphaMix.AlphaSearch = .closedForm) -> AlphaMix.CandidateSet {
        let p = plane
        let probabilities = p.z.matmul(p.weights).softmaxRows()
        return AlphaMix.candidates(candidateEmbeddings: p.z, candidateProbabilities: probabilities,
                                   labeledEmbeddings: p.labeled, labeledLabels: p.labels, headWeights: p.weights,
                                   headBias: [0, 0], count: count, search: search, seed: 1)
    }

    @Test func closedFormQualifiesExactlyTheHandComputedCandidates() {
        // The loop stops after the first cap at which more than `count` qualify.
        let expected: [(count: Int, qualifying: [Bool], steps: Int)] = [
            (0, [true, false, false, false], 3), (1, [true, true, false, false], 6),
            (2, [true, true, true, false], 16), (3, [true, true, true, true], 28), (4, [true, true, true, true], 32)]
        for (count, qualifying, steps) in expected {
            let found = Self.planeCandidates(count: count)
            #expect(found.qualifying == qualifying, "count \(count)")
            #expect(found.capSteps == steps, "count \(count)")
        }
        // At step 3 (cap 3/32) both anchors flip A; (−2, 0) needs the smaller ‖α‖:
        // α₀ = (3/32)/√2 · ‖a − z‖ · ĝ₀ / (a₀ − z₀ + 1e-8) with ĝ₀ = −1; α₁ = 0 since g₁ = 0.
        let found = Self.planeCandidates(count: 0)
        let distance = (2.1 * 2.1 + 0.25).squareRoot()
        let alpha0 = 3.0 / 32 / 2.0.squareRoot() * distance * -1 / (-2.1 + 1e-8)
        #expect(abs(Double(found.minimalAlphas.scalars[0]) - alpha0) < 1e-6)
        #expect(found.minimalAlphas.scalars[1] == 0)
        #expect(Array(found.minimalAlphas.scalars[2...]) == [1, 1, 1, 1, 1, 1], "unflipped rows keep α = 1")
    }

    @Test func selectionComesFromTheQualifyingSetAndTopsUpAtRandom() {
        let p = Self.plane
        let probabilities = p.z.matmul(p.weights).softmaxRows()
        func select(_ count: Int, labeled: Tensor? = nil, labels: [Int32]? = nil) -> [Int] {
            AlphaMix.select(candidateEmbeddings: p.z, candidateProbabilities: probabilities,
                            labeledEmbeddings: labeled ?? p.labeled, labeledLabels: labels ?? p.labels,
                            headWeights: p.weights, headBias: [0, 0], count: count, search: .closedForm, seed: 7)
        }
        // count 1: Q = {A, B}; one k-means cluster; its member nearest the centre.
        #expect(Set([0, 1]).isSuperset(of: select(1)) && select(1).count == 1)
        // count 2: Q = {A, B, C}; two clusters on the normalised rows, two distinct members of Q.
        let two = select(2)
        #expect(two.count == 2 && Set(two).count == 2 && Set([0, 1, 2]).isSuperset(of: two))
        // count 4: C and D normalise to the same point, so k-means keeps one of them and the top-up adds the other.
        #expect(Set(select(4)) == [0, 1, 2, 3])
        #expect(select(9).count == 4, "never more than n")
        #expect(select(0).isEmpty)
        // Nothing labelled: no anchors, every pick is random (but distinct and seeded).
        let blind = select(3, labeled: Tensor(shape: [0, 2]), labels: [])
        #expect(blind.count == 3 && Set(blind).count == 3 && blind == select(3, labeled: Tensor(shape: [0, 2]), labels: []))
    }

    @Test func kMeansRunsOnDirectionsAndKeepsTheMemberNearestEachCentre() {
        // Same head and anchors as `plane`. (0, 1) and (0, 10) flip at step 1, (−0.6, −0.8) at step 10
        // (cap ≥ 0.6·√2/‖(2.6, 0.8)‖ = 0.312), (−3, −4) only at step 22; with count 2 the loop stops at
        // step 10 with Q = {0, 1, 2}. Normalised, 0 and 1 coincide, so the two clusters are {0, 1} and {2},
        // and the tie inside {0, 1} goes to the lower index. Unnormalised, (0, 10) would sit alone.
        let p = Self.plane
        let z = Tensor(rows: [[0, 1], [0, 10], [-0.6, -0.8], [-3, -4]])
        for seed: UInt64 in 1...5 {
            let picks = AlphaMix.select(candidateEmbeddings: z, candidateProbabilities: z.matmul(p.weights).softmaxRows(),
                                        labeledEmbeddings: p.labeled, labeledLabels: p.labels, headWeights: p.weights,
                                        headBias: [0, 0], count: 2, search: .closedForm, seed: seed)
            #expect(Set(picks) == [0, 2], "seed \(seed)")
        }
    }

    // MARK: Against a numpy transcription of the reference

    static func problem(seed: UInt64) -> (z: Tensor, probabilities: Tensor, labeled: Tensor, labels: [Int32], weights: Tensor, bias: [Float]) {
        var random = RandomStream(seed: seed, purpose: "alphamix-test")
        func gaussian(_ rows: Int, _ columns: Int, _ scale: Double) -> Tensor {
            Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { _ in Float(scale * random.nextNormal()) })
        }
        let z = gaussian(60, 6, 1), labeled = gaussian(15, 6, 1), weights = gaussian(6, 3, 1)
        let bias = gaussian(1, 3, 0.3).scalars
        // Class 2 has no labelled example: its anchor is the mean of all labelled points.
        let labels = (0..<15).map { Int32($0 % 2) }
        var logits = z.matmul(weights)
        logits.addRowVector(Tensor(shape: [3], scalars: bias))
        return (z, logits.softmaxRows(), labeled, labels, weights, bias)
    }

    static let transcription = """
    import json, math, sys
    import numpy as np
    q = json.load(open(sys.argv[1]))
    n, d, C = q["n"], q["d"], q["C"]
    Z = np.array(q["z"]).reshape(n, d); P = np.array(q["p"]).reshape(n, C)
    L = np.array(q["labeled"]).reshape(-1, d); Y = np.array(q["labels"])
    W = np.array(q["W"]).reshape(d, C); b = np.array(q["b"])
    normals = np.array(q["normals"]).reshape(-1, C, n, d)   # stands in for torch.normal's N(0, 1)
    mode, budget = q["mode"], q["count"]
    pred_1 = P.argmax(axis=1)
    head = lambda e: e @ W + b
    def softmax(o):
        e = np.exp(o - o.max(axis=1, keepdims=True)); return e / e.sum(axis=1, keepdims=True)
    def ce_grad(e, y):   # autograd of F.cross_entropy (mean) w.r.t. the embedding
        r = softmax(head(e)); r[np.arange(len(y)), y] -= 1; return r @ W.T / len(y)
    norm = lambda a: np.linalg.norm(a, axis=1)
    def generate_alpha(step, i, cap):
        return np.clip(cap / 2 + cap / 2 * normals[step - 1, i], 1e-8, cap)
    def learn_alpha(org, labels, anchor, alpha, cap):
        min_alpha = np.ones_like(alpha); changed = np.zeros(n, bool)
        for it in range(5):
            l = alpha.copy(); lr = 0.1 / (1. if it < 5 * 2 / 3 else 10.)
            out = head((1 - l) * org + l * anchor)
            change = out.argmax(axis=1) != labels
            changed |= change
            better = change & (norm(l) < norm(min_alpha)); min_alpha[better] = l[better]
            r = softmax(out); r[np.arange(n), labels] -= 1
            grad = 1.0 * -((r @ W.T) * (anchor - org)) + 0.01 * l / norm(l)[:, None]
            m, v = 0.1 * grad, 0.001 * grad ** 2            # a fresh Adam's first step
            l = l - lr / (1 - 0.9) * m / (np.sqrt(v) / math.sqrt(0.001) + 1e-8)
            alpha = np.clip(l, 1e-8, cap)
        return min_alpha, changed
    grads = ce_grad(Z, pred_1) if mode == "closedForm" else None
    def find_candidate_set(cap, step):
        min_alphas = np.ones((n, d)); pred_change = np.zeros(n, bool)
        if mode == "closedForm": cap /= math.sqrt(d)
        for i in range(C):
            emb = L[Y == i]
            if len(emb) == 0: emb = L
            anchor = np.repeat(emb.mean(axis=0)[None, :], n, axis=0)
            if mode == "closedForm":
                z = anchor - Z
                alpha = (cap * norm(z) / norm(grads))[:, None] * grads / (z + 1e-8)
                pc = head((1 - alpha) * Z + alpha * anchor).argmax(axis=1) != pred_1
            elif mode == "learned":
                alpha, pc = learn_alpha(Z, pred_1, anchor, generate_alpha(step, i, cap), cap)
            else:
                alpha = generate_alpha(step, i, cap)
                pc = head((1 - alpha) * Z + alpha * anchor).argmax(axis=1) != pred_1
            alpha[~pc] = 1.; pred_change[pc] = True
            is_min = norm(min_alphas) > norm(alpha); min_alphas[is_min] = alpha[is_min]
        return pred_change, min_alphas
    min_alphas = np.ones((n, d)); candidate = np.zeros(n, bool); cap = 0.; step = 0
    while cap < 1.0:
        cap += q["epsilon"]; step += 1
        pc, tmp = find_candidate_set(cap, step)
        changed = norm(min_alphas) >= norm(tmp); min_alphas[changed] = tmp[changed]
        candidate |= pc
        if candidate.sum() > budget: break
    print(json.dumps({"qualifying": candidate.tolist(), "alphas": min_alphas.ravel().tolist(), "steps": step}))
    """

    @Test(.enabled(if: AlphaMixTests.numpyAvailable, "needs python3 with numpy"),
          arguments: [("closedForm", 0.03125, 4), ("closedForm", 0.2, 60), ("random", 0.03125, 4),
                      ("random", 0.03125, 60), ("learned", 0.03125, 4), ("learned", 0.03125, 60)])
    func agreesWithTheReferenceTranscription(mode: String, epsilon: Double, count: Int) throws {
        let search: AlphaMix.AlphaSearch = mode == "closedForm" ? .closedForm
            : mode == "random" ? .random : .learned(AlphaMix.LearningOptions())
        let p = Self.problem(seed: 11)
        let (n, d, classes, seed): (Int, Int, Int, UInt64) = (60, 6, 3, 5)
        // The reference's torch.normal draws, replaced by the streams AlphaMix reads.
        var normals: [Double] = []
        for step in 1...Int((1 / epsilon).rounded(.up)) {
            for c in 0..<classes {
                var random = RandomStream(seed: seed, purpose: "alphamix-alpha", UInt64(step), UInt64(c))
                normals += (0..<(n * d)).map { _ in random.nextNormal() }
            }
        }
        let double = { (t: Tensor) in t.scalars.map(Double.init) }
        let input: [String: Any] = [
            "n": n, "d": d, "C": classes, "z": double(p.z), "p": double(p.probabilities), "labeled": double(p.labeled),
            "labels": p.labels.map(Int.init), "W": double(p.weights), "b": p.bias.map(Double.init),
            "normals": normals, "mode": mode, "count": count, "epsilon": epsilon]
        let directory = try TemporaryDirectory()
        try JSONSerialization.data(withJSONObject: input).write(to: URL(fileURLWithPath: directory.file("input.json")))
        let result = try Subprocess.run("/usr/bin/env", ["python3", "-c", Self.transcription, directory.file("input.json")])
        try #require(result.status == 0, "\(result.stderr)")
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let qualifying = try #require(reference["qualifying"] as? [Bool])
        let alphas = try #require(reference["alphas"] as? [Double])

        let found = AlphaMix.candidates(candidateEmbeddings: p.z, candidateProbabilities: p.probabilities,
                                        labeledEmbeddings: p.labeled, labeledLabels: p.labels, headWeights: p.weights,
                                        headBias: p.bias, count: count, epsilon: epsilon, search: search, seed: seed)
        #expect(found.qualifying == qualifying)
        #expect(found.capSteps == reference["steps"] as? Int)
        let qualified = qualifying.count(where: { $0 })
        #expect(qualified > 0 && (count >= n || qualified < n), "the case must discriminate (\(qualified) of \(n) qualify)")
        var worst = 0.0
        for (index, value) in alphas.enumerated() {
            worst = max(worst, abs(Double(found.minimalAlphas.scalars[index]) - value) / max(1, abs(value)))
        }
        #expect(worst < 1e-4, "largest relative α difference \(worst)")

        let picks = AlphaMix.select(candidateEmbeddings: p.z, candidateProbabilities: p.probabilities,
                                    labeledEmbeddings: p.labeled, labeledLabels: p.labels, headWeights: p.weights,
                                    headBias: p.bias, count: count, epsilon: epsilon, search: search, seed: seed)
        #expect(picks.count == min(count, n) && Set(picks).count == picks.count && picks.allSatisfy { (0..<n).contains($0) })
        if qualified >= count {
            #expect(picks.allSatisfy { qualifying[$0] }, "a large qualifying set supplies every pick")
        } else {
            #expect(Set(picks).isSuperset(of: (0..<n).filter { qualifying[$0] }), "a small qualifying set is taken whole")
        }
    }

    // MARK: Determinism

    @Test(arguments: [AlphaMix.AlphaSearch.closedForm, .random, .learned(AlphaMix.LearningOptions())])
    func sameSeedSameResultWhateverTheWorkers(search: AlphaMix.AlphaSearch) {
        let p = Self.problem(seed: 3)
        func run(_ seed: UInt64, workers: Int) -> (AlphaMix.CandidateSet, [Int]) {
            Parallel.withWorkers(workers) {
                (AlphaMix.candidates(candidateEmbeddings: p.z, candidateProbabilities: p.probabilities,
                                     labeledEmbeddings: p.labeled, labeledLabels: p.labels, headWeights: p.weights,
                                     headBias: p.bias, count: 8, search: search, seed: seed),
                 AlphaMix.select(candidateEmbeddings: p.z, candidateProbabilities: p.probabilities,
                                 labeledEmbeddings: p.labeled, labeledLabels: p.labels, headWeights: p.weights,
                                 headBias: p.bias, count: 8, search: search, seed: seed))
            }
        }
        let (first, picks) = run(21, workers: 1)
        let (again, picksAgain) = run(21, workers: 4)
        #expect(first == again && picks == picksAgain)
        #expect(picks.count == 8 && Set(picks).count == 8)
        if search != .closedForm {
            // The α draws depend on the seed (the closed form has none).
            #expect(run(22, workers: 1).0.minimalAlphas != first.minimalAlphas)
        }
    }

    // MARK: The strategy's split between score and select

    /// The select stage recovers the reference's qualifying set for any batch from the first-flip steps.
    @Test(arguments: [AlphaMix.AlphaSearch.closedForm, .random, .learned(AlphaMix.LearningOptions())])
    func firstFlipStepsGiveTheReferencesSetForEveryBatch(search: AlphaMix.AlphaSearch) {
        let p = Self.problem(seed: 4)
        func run(_ count: Int) -> AlphaMix.CandidateSet {
            AlphaMix.candidates(candidateEmbeddings: p.z, candidateProbabilities: p.probabilities, labeledEmbeddings: p.labeled,
                                labeledLabels: p.labels, headWeights: p.weights, headBias: p.bias, count: count, search: search, seed: 9)
        }
        let all = run(Int.max)
        #expect(all.firstSteps.contains { $0 > 1 }, "the case must have flips at several steps")
        for count in [0, 1, 3, 8, 20, 59, 60] {
            #expect(AlphaMix.qualifying(firstSteps: all.firstSteps, count: count) == run(count).qualifying, "count \(count)")
        }
    }

    @Test func alphaMixIsAStrategyWithItsParameters() throws {
        let declaration = try #require(StrategyRegistry.named("alpha_mix"))
        #expect(declaration.parameters.map(\.name) == ["epsilon", "search"])
        #expect(!declaration.supportsRegression && declaration.hasScoreStage)
        #expect(declaration.perturbation(StrategyParameters(), isClassification: true) == nil)
    }
}
