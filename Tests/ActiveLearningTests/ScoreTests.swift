import ActiveLearning
import Foundation
import Tensors
import Testing

@Suite struct ScoreTests {
    let table = Tensor(rows: [
        [0.90, 0.05, 0.05],   // confident
        [0.40, 0.35, 0.25],   // uncertain, small margin
        [0.50, 0.50, 0.00],   // zero probability, tiny margin
        [1.00, 0.00, 0.00],   // certain: 0·log 0 terms
    ])

    @Test func entropyLeastConfidenceAndMarginRankings() {
        let entropy = UncertaintyScores.entropy(table)
        #expect(abs(Double(entropy[2]) - log(2.0)) < 1e-6)
        #expect(entropy[3] == 0)
        #expect(!entropy.contains { $0.isNaN })
        #expect(Ranking.top(entropy, count: 4) == [1, 2, 0, 3])
        #expect(Ranking.top(UncertaintyScores.leastConfidence(table), count: 4) == [1, 2, 0, 3])
        #expect(Ranking.top(UncertaintyScores.margin(table), count: 2) == [2, 1])
        #expect(abs(UncertaintyScores.margin(table)[1] - -0.05) < 1e-6)
    }

    @Test func rankingBreaksTiesByIndexAndSinksNaN() {
        #expect(Ranking.top([1, 3, 3, .nan, 2], count: 5) == [1, 2, 4, 0, 3])
    }

    @Test func baldIsZeroWhenPassesAgreeAndLargeWhenTheyDisagree() {
        // Two candidates, three passes, two classes.
        let agree: [Float] = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
        let disagree: [Float] = [1, 0, 0, 1, 1, 0]
        let mc = Tensor(shape: [2, 6], scalars: agree + disagree)
        let bald = UncertaintyScores.bald(mc, passes: 3)
        #expect(abs(bald[0]) < 1e-7)
        // mean = (2/3, 1/3): H = 0.6365; each pass certain: mean H = 0.
        #expect(abs(Double(bald[1]) - (-(2.0 / 3) * log(2.0 / 3) - (1.0 / 3) * log(1.0 / 3))) < 1e-6)
        let expected = UncertaintyScores.expectedEntropy(mc, passes: 3)
        #expect(abs(Double(expected[0]) - log(2.0)) < 1e-6 && expected[1] == 0)
    }

    @Test func aubcMatchesDeepALPlus() {
        // Equal steps of 20 from 20 to 60: (20·(0.5+0.6)/2 + 20·(0.6+0.8)/2) / 40.
        #expect(abs(AUBC.area(budgets: [20, 40, 60], values: [0.5, 0.6, 0.8])! - 0.625) < 1e-12)
        // Quota 50 with batch 20: last step of 10 contributes 10·(a1 + a2)/2.
        let uneven = AUBC.area(budgets: [0, 20, 40, 50], values: [0.2, 0.4, 0.6, 0.7])!
        #expect(abs(uneven - (20 * 0.3 + 20 * 0.5 + 10 * 0.65) / 50) < 1e-12)
        #expect(AUBC.area(budgets: [10], values: [0.3]) == 0.3)
    }
}

@Suite struct LoopSupportTests {
    @Test func initialSelectionCoversEveryClassAndIsReproducible() throws {
        let labels: [Int32] = (0..<500).map { Int32($0 % 10) }   // a random draw of 20 misses some class ~80% of the time
        let a = try LoopSupport.initialSelection(labels: labels, poolSize: 500, count: 20, classes: 10, coverEveryClass: true, seed: 4)
        #expect(Set(a.map { labels[$0] }).count == 10)
        #expect(a == (try LoopSupport.initialSelection(labels: labels, poolSize: 500, count: 20, classes: 10, coverEveryClass: true, seed: 4)))
        #expect(Set(a).count == 20)
        #expect(throws: LoopSupport.SelectionError.self) {
            _ = try LoopSupport.initialSelection(labels: labels, poolSize: 500, count: 5, classes: 10, coverEveryClass: true, seed: 4)
        }
        #expect(throws: LoopSupport.SelectionError.self) {
            _ = try LoopSupport.initialSelection(labels: [0, 0, 1], poolSize: 3, count: 3, classes: 3, coverEveryClass: true, seed: 4)
        }
    }

    @Test func candidatesComeFromTheUnlabeledPool() {
        let labeled = [3, 7, 9]
        let subset = LoopSupport.candidates(poolSize: 100, labeled: labeled, count: 50, cycle: 2, seed: 1)
        #expect(subset.count == 50 && Set(subset).count == 50)
        #expect(Set(subset).isDisjoint(with: labeled))
        #expect(subset != LoopSupport.candidates(poolSize: 100, labeled: labeled, count: 50, cycle: 3, seed: 1))
        #expect(LoopSupport.candidates(poolSize: 10, labeled: labeled, count: nil, cycle: 0, seed: 1) == [0, 1, 2, 4, 5, 6, 8])
    }
}
