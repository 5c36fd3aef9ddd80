import ActiveLearning
import Tensors

/// AlphaMix (ALFA-Mix, Parvaneh et al., CVPR 2022; the noise-stability code's
/// `alpha_mix`): candidates whose prediction flips when their features are
/// mixed with a class anchor, clustered for diversity (docs/algorithms.md §13a).
///
/// The score stage runs every cap step (its α draws use the score stage's
/// seed) and stores, as `scores`, the step at which each candidate first
/// flipped (0: never) beside the candidates' embeddings. The reference stops
/// at the first step whose qualifying set exceeds the batch; since each
/// step's draws are independent of the batch size, the select stage
/// recovers exactly that set from the first-flip steps, then clusters it
/// and tops up at random (with the select stage's seed).
public enum AlphaMixStrategy: QueryStrategy {
    public static let name = "alpha_mix"
    public static let summary = "features mixed with class anchors; k-means over the candidates whose prediction flips (Parvaneh et al.)"
    public static let version = 1
    public static let usesEmbeddings = true
    public static let usesClassifierHead = true
    public static let parameters = [
        StrategyParameter(name: "epsilon", kind: .double(above: 0, atLeast: nil, below: 1), default: .value(.double(AlphaMix.defaultEpsilon)),
                          scope: .score, help: "the α cap's step (--alpha_cap); the README's closed form uses 0.2"),
        StrategyParameter(name: "search", kind: .choice(["learned", "closed_form", "random"]), default: .value(.text("learned")),
                          scope: .score, help: "how α is found: learned (--alpha_opt, the README's), closed_form, or random draws"),
    ]

    static func search(_ parameters: StrategyParameters) -> AlphaMix.AlphaSearch {
        switch parameters.text("search") {
        case "closed_form": return .closedForm
        case "random": return .random
        default: return .learned(AlphaMix.LearningOptions())
        }
    }

    public static func score(_ inputs: ScoringInputs, _ parameters: StrategyParameters) throws -> ScorePayload {
        let head = try inputs.head()
        let labeled = try inputs.labeledEmbeddings()
        let z = try inputs.embeddings, d = z.rowWidth
        guard head.weights.rowCount == d, head.bias.count == head.weights.rowWidth, labeled.rowCount == 0 || labeled.rowWidth == d else {
            throw StrategyError.invalidData("alpha_mix: the model's output layer does not take its embeddings (\(head.weights.shape) for width \(d))")
        }
        let found = AlphaMix.candidates(candidateEmbeddings: z, candidateProbabilities: inputs.probabilities(), labeledEmbeddings: labeled,
                                        labeledLabels: try inputs.labeledLabels(), headWeights: head.weights, headBias: head.bias,
                                        count: Int.max, epsilon: parameters.number("epsilon"), search: search(parameters), seed: inputs.seed)
        return ScorePayload(scores: found.firstSteps.map(Float.init), embeddings: z)
    }

    public static func select(_ inputs: QueryInputs, _ parameters: StrategyParameters) throws -> [Int] {
        let steps = try inputs.score(ScorePayload.scoresField, for: name).map { Int($0) }
        return AlphaMix.pick(qualifying: AlphaMix.qualifying(firstSteps: steps, count: inputs.count), embeddings: try inputs.score(ScorePayload.embeddingsField, for: name),
                             count: inputs.count, seed: inputs.seed)
    }
}

@used @section("alflow_strategies")
let registerAlphaMix: StrategyRegistry.Entry = { StrategyRegistry.declare(AlphaMixStrategy.self) }

/// ALFA-Mix (Parvaneh et al., "Active Learning by Feature Mixing", CVPR 2022),
/// after the official code AminParvaneh/alpha_mix_active_learning @ 7e48eb1,
/// `query_strategies/alpha_mix_sampling.py` (`AlphaMixSampling`), and its copy
/// in lixingjian/AL-noise-stability @ 69f6f36, `alpha_mix.py`.
///
/// With embeddings z (penultimate features) and the last linear layer
/// f(z) = z·W + b, a candidate qualifies when mixing its embedding with some
/// class anchor changes the head's prediction:
/// 1. ŷ = argmax of the candidate's probabilities (`query`: `pred_1`).
/// 2. Anchor of class c: the mean labelled embedding of class c, or of all
///    labelled points when c has none (`find_candidate_set`).
/// 3. For caps ε, 2ε, … while the cap is below 1 (`query`): for every class c,
///    α ∈ ℝ^d per candidate (see `AlphaSearch`), z̃ = (1 − α) ⊙ z + α ⊙ a_c; the
///    candidate changes if argmax f(z̃) ≠ ŷ. After each cap the changes join the
///    qualifying set; the loop stops once it holds more than `count`.
/// 4. The qualifying embeddings, L2-normalised (`F.normalize`), go to k-means
///    with min(count, |Q|) clusters; each non-empty cluster yields the member
///    nearest its centre (`sample`). Empty clusters, or too few qualifying
///    candidates, are topped up at random from the rest (`query`).
/// The α of smallest norm that changed a prediction (`min_alphas`) is kept for
/// diagnostics only, as in the reference, with its `>` / `>=` update rules.
/// Defaults follow the README's main command (`--alpha_opt`, ε = 1/32); the
/// argparse default of both repositories is `.random`.
///
/// Departures: torch/numpy RNG is replaced by streams (`seed`, "alphamix-alpha",
/// cap step, class), k-means's own, and (`seed`, "alphamix-fill"). The loss
/// gradient omits cross-entropy's 1/N (it cancels in g/‖g‖); g = 0 gives α = 0
/// (the reference divides by zero). Mixing runs in Double (float32 cancels when a
/// closed-form α is huge). k-means is `KMeans`: one k-means++ run, ≤ 100 Lloyd
/// steps, clusters in seeding order (sklearn 0.23: best of 10 runs; the
/// noise-stability copy: one). The top-up draws *without* replacement from the
/// candidates not picked (`np.random.choice` draws with replacement from the
/// whole unlabelled pool and can repeat). With nothing labelled there are no
/// anchors and every pick is random (the reference's anchor would be NaN). The
/// noise-stability copy stops at |Q| ≥ count and minimises +CE when learning α
/// (a sign slip); the original's `> count` and −CE are followed.
public enum AlphaMix {
    /// How α is chosen for a (candidate, anchor) pair; the reference's flags.
    public enum AlphaSearch: Sendable, Equatable {
        /// `--alpha_closed_form_approx` (`calculate_optimum_alpha`): with the
        /// gradient g = ∂CE(f(z), ŷ)/∂z and Δ = a − z, α = ε′‖Δ‖/‖g‖ · g / (Δ + 1e-8)
        /// element-wise, ε′ = cap/√d, unclamped; so z̃ ≈ z + ε′‖Δ‖ g/‖g‖. The
        /// README pairs it with `--alpha_cap 0.2` (`closedFormEpsilon`).
        case closedForm
        /// Neither flag (the argparse default, `generate_alpha`): one draw per
        /// element α ~ N(cap/2, cap/2) clamped to [1e-8, cap].
        case random
        /// `--alpha_opt` (`learn_alpha`, the README's main command): start from
        /// `random`, then per iteration: test the current α, then take one step
        /// of a fresh Adam (so α ← α − lr·g/(|g| + 1e-8)) on
        /// −CE(f(z̃), ŷ)·lossWeight + ‖α‖·normWeight, lr/10 in the last third,
        /// clamp to [1e-8, cap]. Returns the smallest-norm α that changed ŷ.
        /// (With 5 iterations the lr/10 step yields an α that is never tested.)
        case learned(LearningOptions)
    }

    /// `learn_alpha` settings; the defaults are the reference's argparse ones.
    public struct LearningOptions: Sendable, Equatable {
        public var iterations = 5, learningRate = 0.1, lossWeight = 1.0, normWeight = 0.01
        public init() {}
    }

    /// `--alpha_cap` default in both repositories (the cap grows by it).
    public static let defaultEpsilon = 0.03125
    /// The README's `--alpha_cap` for the closed form.
    public static let closedFormEpsilon = 0.2

    /// What the α search found.
    public struct CandidateSet: Sendable, Equatable {
        /// Whether each candidate qualified under some cap reached.
        public var qualifying: [Bool]
        /// `[n, d]`: the smallest-norm α that changed the prediction, or 1s.
        public var minimalAlphas: Tensor
        /// Caps tried (the last one is `capSteps · ε`, summed in Double).
        public var capSteps: Int
        /// The cap step at which each candidate first flipped (0: never).
        public var firstSteps: [Int]
    }

    /// The qualifying set the reference's loop ends with for a batch of
    /// `count`: the flips up to the first step at which more than `count`
    /// candidates have flipped (or all of them when that never happens).
    public static func qualifying(firstSteps: [Int], count: Int) -> [Bool] {
        let last = firstSteps.max() ?? 0
        var flipped = 0, stop = last
        var perStep = [Int](repeating: 0, count: last + 1)
        for step in firstSteps where step > 0 { perStep[step] += 1 }
        for step in stride(from: 1, through: last, by: 1) {
            flipped += perStep[step]
            if flipped > count { stop = step; break }
        }
        return firstSteps.map { $0 > 0 && $0 <= stop }
    }

    /// The reference's selection: indices into the candidates, at most
    /// min(count, n), distinct.
    /// - Parameters:
    ///   - candidateEmbeddings: `[n, d]` penultimate features (eval mode).
    ///   - candidateProbabilities: `[n, C]`, softmax(z·W + b) of the same model.
    ///   - labeledEmbeddings: `[m, d]`; `labeledLabels`: their m labels.
    ///   - headWeights: `[d, C]` (stored [in, out]); `headBias`: C values.
    ///   - seed: names every random stream (α draws, k-means, top-up).
    public static func select(candidateEmbeddings z: Tensor, candidateProbabilities: Tensor, labeledEmbeddings: Tensor,
                              labeledLabels: [Int32], headWeights: Tensor, headBias: [Float], count: Int,
                              epsilon: Double = defaultEpsilon, search: AlphaSearch = .learned(LearningOptions()),
                              seed: UInt64) -> [Int] {
        let found = candidates(candidateEmbeddings: z, candidateProbabilities: candidateProbabilities,
                               labeledEmbeddings: labeledEmbeddings, labeledLabels: labeledLabels, headWeights: headWeights,
                               headBias: headBias, count: count, epsilon: epsilon, search: search, seed: seed)
        return pick(qualifying: found.qualifying, embeddings: z, count: count, seed: seed)
    }

    /// Step 4: k-means on the qualifying candidates' normalised embeddings,
    /// the member nearest each centre, then a random top-up.
    public static func pick(qualifying: [Bool], embeddings z: Tensor, count: Int, seed: UInt64) -> [Int] {
        let n = z.rowCount
        let wanted = min(max(count, 0), n)
        guard wanted > 0 else { return [] }
        let members = (0..<n).filter { qualifying[$0] }
        var picks: [Int] = []
        if !members.isEmpty {
            let features = z.gatherRows(members).normalizedRows()
            let clustering = KMeans.cluster(features, clusters: min(wanted, members.count), seed: seed)
            picks = nearestToCenters(features, clustering).map { members[$0] }
        }
        if picks.count < wanted {
            let taken = Set(picks)
            var random = RandomStream(seed: seed, purpose: "alphamix-fill")
            picks += random.sample((0..<n).filter { !taken.contains($0) }, count: wanted - picks.count)
        }
        return picks
    }

    /// Steps 1–3: the qualifying set (same parameters as `select`).
    /// - Complexity: O(caps · C · (n·d·C + search iterations · n·d·C)).
    public static func candidates(candidateEmbeddings z: Tensor, candidateProbabilities: Tensor, labeledEmbeddings: Tensor,
                                  labeledLabels: [Int32], headWeights: Tensor, headBias: [Float], count: Int,
                                  epsilon: Double = defaultEpsilon, search: AlphaSearch = .learned(LearningOptions()),
                                  seed: UInt64) -> CandidateSet {
        let n = z.rowCount, d = z.rowWidth, classes = headWeights.rowWidth
        precondition(headWeights.rowCount == d && headBias.count == classes, "head must be [d, C] with C biases")
        precondition(candidateProbabilities.rowCount == n && candidateProbabilities.rowWidth == classes
                     && labeledLabels.count == labeledEmbeddings.rowCount
                     && (labeledEmbeddings.rowCount == 0 || labeledEmbeddings.rowWidth == d), "inconsistent shapes")
        var result = CandidateSet(qualifying: [Bool](repeating: false, count: n),
                                  minimalAlphas: Tensor(shape: [n, d], repeating: 1), capSteps: 0,
                                  firstSteps: [Int](repeating: 0, count: n))
        // A non-positive ε would never reach the cap of 1 (callers validate it).
        guard n > 0, epsilon > 0, epsilon.isFinite, let anchors = classAnchors(labeledEmbeddings, labeledLabels, classes)
        else { return result }
        let head = Head(weights: headWeights, bias: Tensor(shape: [classes], scalars: headBias))
        let predicted = candidateProbabilities.argmaxRows()
        let gradients = head.lossGradients(z, predicted)   // one head pass; only the closed form reads it
        let ones = Double(d).squareRoot()
        var minimalNorms = [Double](repeating: ones, count: n)
        var cap = 0.0
        while cap < 1 {
            cap += epsilon
            result.capSteps += 1
            var stepAlphas = Tensor(shape: [n, d], repeating: 1), stepNorms = [Double](repeating: ones, count: n)
            for c in 0..<classes {
                let anchor = anchors[c]
                let alphas: Tensor, changed: [Bool]
                if case .learned(let options) = search {
                    let start = randomAlphas(n, d, cap: cap, seed: seed, step: result.capSteps, classIndex: c)
                    (alphas, changed) = learnedAlphas(z, anchor, predicted, head, start, cap: cap, options)
                } else {
                    alphas = search == .closedForm ? closedFormAlphas(z, anchor, gradients, cap / Double(d).squareRoot())
                        : randomAlphas(n, d, cap: cap, seed: seed, step: result.capSteps, classIndex: c)
                    changed = head.changes(mix(z, anchor, alphas), predicted)
                }
                // Rows without a change count as α = 1 (norm √d) and never win.
                for i in 0..<n where changed[i] {
                    result.qualifying[i] = true
                    if result.firstSteps[i] == 0 { result.firstSteps[i] = result.capSteps }
                    let norm = rowNorm(alphas, i)
                    if stepNorms[i] > norm { copyRow(i, from: alphas, to: &stepAlphas); stepNorms[i] = norm }
                }
            }
            for i in 0..<n where minimalNorms[i] >= stepNorms[i] {
                copyRow(i, from: stepAlphas, to: &result.minimalAlphas)
                minimalNorms[i] = stepNorms[i]
            }
            if result.qualifying.count(where: { $0 }) > count { break }
        }
        return result
    }

    /// The last layer f(z) = z·W + b.
    struct Head {
        let weights: Tensor, bias: Tensor

        func logits(_ z: Tensor) -> Tensor {
            var out = z.matmul(weights)
            out.addRowVector(bias)
            return out
        }

        /// Whether argmax f(z̃) differs from ŷ, row by row.
        func changes(_ mixed: Tensor, _ predicted: [Int]) -> [Bool] {
            zip(logits(mixed).argmaxRows(), predicted).map { $0 != $1 }
        }

        /// ∂CE(f(z), ŷ)/∂z = (softmax(f(z)) − e_ŷ)·Wᵀ, `[n, d]`.
        func lossGradients(_ z: Tensor, _ predicted: [Int]) -> Tensor {
            var residual = logits(z).softmaxRows()
            let classes = residual.rowWidth
            for (i, c) in predicted.enumerated() { residual.scalars[i * classes + c] -= 1 }
            return residual.matmul(weights, transposeOther: .transposed)
        }
    }

    /// z̃ = (1 − α) ⊙ z + α ⊙ a, the reference's form of the mix.
    static func mix(_ z: Tensor, _ anchor: [Double], _ alphas: Tensor) -> Tensor {
        let d = z.rowWidth
        var out = z
        for index in 0..<z.count {
            let alpha = Double(alphas.scalars[index])
            out.scalars[index] = Float((1 - alpha) * Double(z.scalars[index]) + alpha * anchor[index % d])
        }
        return out
    }

    static func closedFormAlphas(_ z: Tensor, _ anchor: [Double], _ gradients: Tensor, _ epsilon: Double) -> Tensor {
        let n = z.rowCount, d = z.rowWidth
        var alphas = Tensor(shape: [n, d])
        for i in 0..<n {
            let difference = (0..<d).map { anchor[$0] - Double(z.scalars[i * d + $0]) }
            let distance = difference.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let gradientNorm = rowNorm(gradients, i)
            guard gradientNorm > 0 else { continue }
            let scale = epsilon * distance / gradientNorm
            for j in 0..<d {
                alphas.scalars[i * d + j] = Float(scale * Double(gradients.scalars[i * d + j]) / (difference[j] + 1e-8))
            }
        }
        return alphas
    }

    /// α ~ N(cap/2, cap/2) clamped to [1e-8, cap], row-major, from stream
    /// (`seed`, "alphamix-alpha", cap step, class).
    static func randomAlphas(_ n: Int, _ d: Int, cap: Double, seed: UInt64, step: Int, classIndex: Int) -> Tensor {
        var random = RandomStream(seed: seed, purpose: "alphamix-alpha", UInt64(step), UInt64(classIndex))
        return Tensor(shape: [n, d], scalars: (0..<(n * d)).map { _ in
            Float(min(max(cap / 2 + cap / 2 * random.nextNormal(), 1e-8), cap))
        })
    }

    static func learnedAlphas(_ z: Tensor, _ anchor: [Double], _ predicted: [Int], _ head: Head, _ start: Tensor,
                              cap: Double, _ options: LearningOptions) -> (Tensor, [Bool]) {
        let n = z.rowCount, d = z.rowWidth
        var alphas = start, minimal = Tensor(shape: [n, d], repeating: 1)
        var minimalNorms = [Double](repeating: Double(d).squareRoot(), count: n), changed = [Bool](repeating: false, count: n)
        for iteration in 0..<options.iterations {
            let late = Double(iteration) >= Double(options.iterations) * 2 / 3
            let rate = options.learningRate / (late ? 10 : 1)
            let logits = head.logits(mix(z, anchor, alphas))
            let now = logits.argmaxRows()
            var residual = logits.softmaxRows()
            let classes = residual.rowWidth
            let norms = (0..<n).map { rowNorm(alphas, $0) }
            for i in 0..<n {
                if now[i] != predicted[i] {
                    changed[i] = true
                    if norms[i] < minimalNorms[i] { copyRow(i, from: alphas, to: &minimal); minimalNorms[i] = norms[i] }
                }
                residual.scalars[i * classes + predicted[i]] -= 1
            }
            let toMixed = residual.matmul(head.weights, transposeOther: .transposed)   // ∂CE/∂z̃, [n, d]
            for i in 0..<n {
                for j in 0..<d {
                    let index = i * d + j, alpha = Double(alphas.scalars[index])
                    let crossEntropy = (anchor[j] - Double(z.scalars[index])) * Double(toMixed.scalars[index])
                    let gradient = -options.lossWeight * crossEntropy + options.normWeight * alpha / norms[i]
                    let stepped = alpha - rate * gradient / (abs(gradient) + 1e-8)
                    alphas.scalars[index] = Float(min(max(stepped, 1e-8), cap))
                }
            }
        }
        return (minimal, changed)
    }

    /// Per-class mean labelled embedding (all labelled points for a class
    /// without any); nil when nothing is labelled.
    static func classAnchors(_ embeddings: Tensor, _ labels: [Int32], _ classes: Int) -> [[Double]]? {
        let m = embeddings.rowCount, d = embeddings.rowWidth
        guard m > 0 else { return nil }
        func mean(_ rows: [Int]) -> [Double] {
            var sums = [Double](repeating: 0, count: d)
            for i in rows { for j in 0..<d { sums[j] += Double(embeddings.scalars[i * d + j]) } }
            return sums.map { $0 / Double(rows.count) }
        }
        let overall = mean(Array(0..<m))
        return (0..<classes).map { c in
            let rows = (0..<m).filter { labels[$0] == Int32(c) }
            return rows.isEmpty ? overall : mean(rows)
        }
    }

    /// Per non-empty cluster, in cluster order, the member nearest its centre
    /// (squared distance in Double; ties to the lower index), as `sample`.
    /// KMeans's last assignments stand in for sklearn's `predict` (they agree
    /// with the final centres once Lloyd's loop has converged).
    static func nearestToCenters(_ features: Tensor, _ clustering: KMeans.Result) -> [Int] {
        let d = features.rowWidth, k = clustering.centers.rowCount
        var best = [Int](repeating: -1, count: k), bestDistance = [Double](repeating: .infinity, count: k)
        for (i, c) in clustering.assignments.enumerated() {
            var distance = 0.0
            for j in 0..<d {
                let difference = Double(features.scalars[i * d + j]) - Double(clustering.centers.scalars[c * d + j])
                distance += difference * difference
            }
            if distance < bestDistance[c] { best[c] = i; bestDistance[c] = distance }
        }
        return best.filter { $0 >= 0 }
    }

    static func rowNorm(_ tensor: Tensor, _ row: Int) -> Double {
        let d = tensor.rowWidth
        return tensor.scalars[row * d..<(row + 1) * d].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }

    static func copyRow(_ row: Int, from source: Tensor, to target: inout Tensor) {
        let d = source.rowWidth
        target.scalars.replaceSubrange(row * d..<(row + 1) * d, with: source.scalars[row * d..<(row + 1) * d])
    }
}
