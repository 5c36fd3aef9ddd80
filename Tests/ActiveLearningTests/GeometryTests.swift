import Foundation
import ActiveLearning
import Tensors
import Testing

@Suite struct GeometryTests {
    static func random(_ n: Int, _ d: Int, seed: UInt64, scale: Double = 1) -> Tensor {
        var random = RandomStream(seed: seed, purpose: "geometry-test")
        return Tensor(shape: [n, d], scalars: (0..<(n * d)).map { _ in Float(scale * random.nextNormal()) })
    }

    @Test func kCenterPicksFarthestPointsInThePlane() {
        // Origin as a centre: farthest from it is (10, 0); then farthest from both is (−6, 0); then (0, 5).
        let points = Tensor(rows: [[1, 0], [10, 0], [0, 5], [-6, 0], [9, 1]])
        #expect(KCenterGreedy.select(points: points, count: 3, includeOrigin: true) == [1, 3, 2])
        // With a labelled centre at (10, 0) instead, (−6, 0) is farthest first.
        #expect(KCenterGreedy.select(points: points, count: 2, centers: Tensor(rows: [[10, 0]])) == [3, 2])
    }

    @Test(arguments: [(400, 8, 30), (1000, 50, 100), (300, 3, 300)])
    func lazyEvaluationEqualsThePlainAlgorithm(n: Int, d: Int, picks: Int) {
        var points = Self.random(n, d, seed: UInt64(n + d))
        // Exact duplicates and ties must be resolved identically.
        for j in 0..<d { points.scalars[5 * d + j] = points.scalars[17 * d + j] }
        let centers = Self.random(7, d, seed: 99)
        #expect(KCenterGreedy.select(points: points, count: picks, includeOrigin: true)
                == KCenterGreedy.reference(points: points, count: picks, includeOrigin: true))
        #expect(KCenterGreedy.select(points: points, count: picks, centers: centers)
                == KCenterGreedy.reference(points: points, count: picks, centers: centers))
        let zeros = Tensor(shape: [50, d])
        #expect(KCenterGreedy.select(points: zeros, count: 5, includeOrigin: true) == [0, 1, 2, 3, 4])
    }

    @Test func badgeFastDistancesEqualExplicitGradientEmbeddings() {
        let logits = Self.random(30, 4, seed: 1, scale: 2)
        let probabilities = logits.softmaxRows()
        let h = Self.random(30, 6, seed: 2)
        let a = BADGE.classFactors(probabilities: probabilities)
        // Explicit g = a ⊗ h.
        var g = Tensor(shape: [30, 24])
        for i in 0..<30 { for c in 0..<4 { for j in 0..<6 { g.scalars[i * 24 + c * 6 + j] = a.scalars[i * 4 + c] * h.scalars[i * 6 + j] } } }
        let norms = g.rowNorms()
        var largest = 0
        for i in 0..<30 where norms[i] > norms[largest] { largest = i }
        let picks = BADGE.select(classFactors: a, embeddings: h, count: 10, seed: 3)
        #expect(picks[0] == largest)
        #expect(Set(picks).count == 10)
        #expect(picks == BADGE.select(classFactors: a, embeddings: h, count: 10, seed: 3))
        // The identity itself, on every pair.
        for i in 0..<30 {
            for j in 0..<30 {
                var explicit = 0.0
                for k in 0..<24 { let diff = Double(g.scalars[i * 24 + k] - g.scalars[j * 24 + k]); explicit += diff * diff }
                var aa = 0.0, hh = 0.0
                for k in 0..<4 { aa += Double(a.scalars[i * 4 + k] * a.scalars[j * 4 + k]) }
                for k in 0..<6 { hh += Double(h.scalars[i * 6 + k] * h.scalars[j * 6 + k]) }
                let fast = Double(norms[i] * norms[i]) + Double(norms[j] * norms[j]) - 2 * aa * hh
                #expect(abs(explicit - max(0, fast)) < 1e-4)
            }
        }
        // Predicted-class block: 1 − p; other blocks −p.
        let predicted = probabilities.argmaxRows()[0]
        #expect(abs(a.scalars[predicted] - (1 - probabilities.scalars[predicted])) < 1e-7)
    }

    /// Three tight, well-separated blobs: TypiClust takes the blob centres first.
    @Test func typiClustTakesTypicalPointsFromEveryCluster() {
        var random = RandomStream(seed: 5, purpose: "blobs")
        let centers: [[Float]] = [[0, 0], [10, 0], [0, 10]]
        var values: [Float] = []
        for c in 0..<3 { for _ in 0..<30 { values += [centers[c][0] + Float(random.nextNormal() * 0.3), centers[c][1] + Float(random.nextNormal() * 0.3)] } }
        let features = Tensor(shape: [90, 2], scalars: values)
        let picks = TypiClust.select(features: features, labeledCount: 0, count: 3, seed: 1)
        #expect(Set(picks.map { $0 / 30 }) == [0, 1, 2])
        for pick in picks {
            let center = centers[pick / 30]
            let distance = hypot(Double(values[pick * 2] - center[0]), Double(values[pick * 2 + 1] - center[1]))
            #expect(distance < 0.5)
        }
        // With one labelled point in blob 0, blobs 1 and 2 come first.
        let withLabeled = Tensor.concatenateRows([Tensor(rows: [[0, 0]]), features])
        let next = TypiClust.select(features: withLabeled, labeledCount: 1, count: 2, seed: 1)
        #expect(Set(next.map { $0 / 30 }) == [1, 2])
    }

    @Test func probCoverGreedilyMaximisesCoverage() {
        // A line of points 1 apart; δ = 1.5 links neighbours. A labelled point covers 0–1.
        let features = Tensor(shape: [8, 1], scalars: [0, 1, 2, 3, 4, 5, 6, 7])
        let labeled = Tensor(shape: [1, 1], scalars: [0])
        let all = Tensor.concatenateRows([labeled, features])
        let picks = ProbCover.select(features: all, labeledCount: 1, count: 2, delta: 1.5, seed: 1)
        // First: a point covering three uncovered (3 covers 2,3,4); then 6 covers 5,6,7.
        #expect(picks == [3, 6])
        let delta = ProbCover.automaticDelta(features: Tensor(shape: [6, 1], scalars: [0, 0.1, 0.2, 5, 5.1, 5.2]), classes: 2, seed: 1)
        #expect(delta == 2.0)
    }

    @Test func vessalPicksADiverseBudgetDeterministically() {
        let embeddings = Self.random(300, 12, seed: 8)
        let picks = VeSSAL.select(embeddings: embeddings, count: 20, seed: 2)
        #expect(picks.count == 20 && Set(picks).count == 20)
        #expect(picks == VeSSAL.select(embeddings: embeddings, count: 20, seed: 2))
        #expect(picks != VeSSAL.select(embeddings: embeddings, count: 20, seed: 3))

        // Diversity: 10 orthogonal unit directions, each repeated 30 times (shuffled by a fixed permutation).
        // A budget of 10 must cover at least 9 directions (10 random picks cover about 6.5 on average).
        var stream = RandomStream(seed: 4, purpose: "vessal-directions")
        let rows = stream.permutation(300)
        var directions = Tensor(shape: [300, 10])
        for (r, row) in rows.enumerated() { directions.scalars[row * 10 + r % 10] = 1 }
        for seed: UInt64 in [1, 2, 3, 4, 5] {
            let chosen = VeSSAL.select(embeddings: directions, count: 10, seed: seed)
            #expect(chosen.count == 10 && Set(chosen).count == 10)
            let covered = Set(chosen.map { row in (0..<10).first { directions.scalars[row * 10 + $0] == 1 }! })
            #expect(covered.count >= 9, "seed \(seed): picks \(chosen) cover only \(covered.count) of 10 directions")
        }

        // Gradient embeddings: block k of row i is √p_top · (δ(k, top) − p_k) · h[i, ·], top = argmax p.
        let probabilities = Self.random(5, 3, seed: 1, scale: 2).softmaxRows()
        let h = Self.random(5, 4, seed: 2)
        let g = VeSSAL.gradientEmbeddings(probabilities: probabilities, embeddings: h)
        #expect(g.shape == [5, 12])
        for i in 0..<5 {
            let p = (0..<3).map { Double(probabilities.scalars[i * 3 + $0]) }
            let top = p.indices.max { p[$0] < p[$1] }!
            for k in 0..<3 {
                for j in 0..<4 {
                    let expected = p[top].squareRoot() * ((k == top ? 1 : 0) - p[k]) * Double(h.scalars[i * 4 + j])
                    let value = Double(g.scalars[i * 12 + k * 4 + j])
                    #expect(abs(value - expected) <= 1e-6 * max(1, abs(expected)), "row \(i), class \(k), feature \(j): \(value) vs \(expected)")
                }
            }
        }
    }
}
