import Foundation
import Tensors

/// IBAL — importance-based active learning (Pezeshkpour, Zhao & Singh),
/// built on representer points (Yeh et al., NeurIPS 2018).
///
/// The paper's score, read literally, is degenerate: the expectation over
/// the hypothesised label y ~ p(·|x_u) of the signed representer value is
/// exactly zero, since E_y[e_y] = p_u. alflow implements the interpretation
/// documented in docs/algorithms.md §12.2 — absolute representer values — in
/// closed form, with features f = [h; 1] (the penultimate embedding with a
/// constant 1 absorbing the bias) and n' = |L| + 1:
///
/// - variant A (default): I(u) = (1/(λn')) Σ_{t∈L} |⟨f_u, f_t⟩| · p_{u,y_t}(1 − p_{u,y_t}),
///   the representer value on each labelled target's own class;
/// - variant B: I(u) = (1/(λn')) (1 − Σ_c p_{u,c}²) Σ_{t∈L} |⟨f_u, f_t⟩|.
///
/// Both are an uncertainty × relevance-to-the-labelled-set score. As the
/// paper states, `ibal` queries the candidates with the *smallest* score
/// (argmin: the points the labelled set is least consistent with), and
/// `ibal_d` the smallest IBAL − γ·D with D a core-set distance to the
/// labelled and already picked points (`DistanceGreedy` on −IBAL).
/// (the specification alflow was built from, docs/algorithms.md §12.4, writes the combined rule as an argmax of Ĩ + γD̃,
/// contradicting the paper's text it quotes; alflow follows the paper, and
/// the README records how both readings fare.) The trained last layer is
/// used as is: only p_u and ⟨f_u, f_t⟩ enter the closed forms, so the
/// representer refit (`RepresenterPoints`) is not needed to rank candidates.
public enum IBAL {
    public enum Variant: String, Sendable { case a = "A", b = "B" }

    /// - Parameters:
    ///   - probabilities: `[n, C]` of the candidates.
    ///   - candidateEmbeddings: `[n, d]` penultimate features h of the candidates.
    ///   - labeledEmbeddings: `[m, d]` of the labelled points; `labels` their classes.
    public static func importance(probabilities: Tensor, candidateEmbeddings: Tensor, labeledEmbeddings: Tensor,
                                  labels: [Int32], lambda: Double, variant: Variant) -> [Float] {
        let n = candidateEmbeddings.rowCount, m = labeledEmbeddings.rowCount, c = probabilities.rowWidth
        // ⟨f_u, f_t⟩ = ⟨h_u, h_t⟩ + 1.
        let inner = candidateEmbeddings.matmul(labeledEmbeddings, transposeOther: .transposed)   // [n, m]
        let normalizer = 1 / (lambda * Double(m + 1))
        return (0..<n).map { u in
            var total = 0.0
            switch variant {
            case .a:
                for t in 0..<m {
                    let p = Double(probabilities.scalars[u * c + Int(labels[t])])
                    total += abs(Double(inner.scalars[u * m + t]) + 1) * p * (1 - p)
                }
            case .b:
                var gini = 1.0
                for k in 0..<c { let p = Double(probabilities.scalars[u * c + k]); gini -= p * p }
                var similarity = 0.0
                for t in 0..<m { similarity += abs(Double(inner.scalars[u * m + t]) + 1) }
                total = gini * similarity
            }
            return Float(total * normalizer)
        }
    }

    /// The batch of plain IBAL: the `count` smallest importances (ties: lower index).
    public static func select(importance: [Float], count: Int) -> [Int] {
        Ranking.top(importance.map { -$0 }, count: count)
    }

    /// The batch of IBAL-D: argmin of Ĩ − γ·D̃, greedily (see `DistanceGreedy`).
    public static func selectWithDistance(importance: [Float], candidateEmbeddings: Tensor, labeledEmbeddings: Tensor,
                                          gamma: Double, count: Int) -> [Int] {
        DistanceGreedy.select(scores: importance.map { -$0 }, candidateEmbeddings: candidateEmbeddings,
                              labeledEmbeddings: labeledEmbeddings, gamma: gamma, count: count)
    }

    /// Variant A from its definition, for checking the closed form:
    /// Σ_t Σ_y p(y|x_u) · |α_{u,y_t}(y) ⟨f_u, f_t⟩| with α_u(y) = (e_y − p_u)/(2λn').
    public static func importanceByDefinition(probabilities: Tensor, candidateEmbeddings: Tensor,
                                              labeledEmbeddings: Tensor, labels: [Int32], lambda: Double) -> [Float] {
        let n = candidateEmbeddings.rowCount, m = labeledEmbeddings.rowCount, c = probabilities.rowWidth
        let d = candidateEmbeddings.rowWidth
        return (0..<n).map { u in
            var total = 0.0
            for t in 0..<m {
                var inner = 1.0
                for j in 0..<d { inner += Double(candidateEmbeddings.scalars[u * d + j]) * Double(labeledEmbeddings.scalars[t * d + j]) }
                let target = Int(labels[t])
                for y in 0..<c {
                    let py = Double(probabilities.scalars[u * c + y])
                    let alpha = ((y == target ? 1 : 0) - Double(probabilities.scalars[u * c + target])) / (2 * lambda * Double(m + 1))
                    total += py * abs(alpha * inner)
                }
            }
            return Float(total)
        }
    }
}

/// The greedy "score + γ · distance" batch rule of `ibal_d` (on −IBAL) and
/// of the IBAL paper's entropy baseline: maximise s̃ + γ·D̃ where s̃ is the
/// score min-max normalised over the candidates still available, and
/// D(u) = min over labelled and already picked points s of ‖h_u − h_s‖,
/// normalised by its maximum over the available candidates; pick the
/// largest, add it to the picked set, update D, repeat.
public enum DistanceGreedy {
    public static func select(scores: [Float], candidateEmbeddings: Tensor, labeledEmbeddings: Tensor,
                              gamma: Double, count: Int) -> [Int] {
        let n = candidateEmbeddings.rowCount, d = candidateEmbeddings.rowWidth
        let wanted = min(count, n)
        var distance = KCenterGreedy.initialDistances(candidateEmbeddings, centers: labeledEmbeddings, includeOrigin: false)
        var available = [Bool](repeating: true, count: n)
        var picks: [Int] = []
        candidateEmbeddings.scalars.withUnsafeBufferPointer { x in
            while picks.count < wanted {
                let open = (0..<n).filter { available[$0] }
                let values = open.map { Double(scores[$0]) }
                let (low, high) = (values.min() ?? 0, values.max() ?? 0)
                let finite = open.map { distance[$0] }.filter(\.isFinite)
                let farthest = finite.max() ?? 0
                var best = -1
                var bestValue = -Double.infinity
                for i in open {
                    let importance = high > low ? (Double(scores[i]) - low) / (high - low) : 0
                    let spread = farthest > 0 && distance[i].isFinite ? distance[i] / farthest : (distance[i].isFinite ? 0 : 1)
                    let value = importance + gamma * spread
                    if value > bestValue { best = i; bestValue = value }
                }
                picks.append(best)
                available[best] = false
                for i in 0..<n where available[i] {
                    distance[i] = min(distance[i], KCenterGreedy.distance(x.baseAddress! + i * d, x.baseAddress! + best * d, d))
                }
            }
        }
        return picks
    }
}
