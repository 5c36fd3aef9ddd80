import Tensors

/// The parts of the active-learning loop around the strategies.
public enum LoopSupport {
    public struct SelectionError: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    /// The initial labelled set: `count` pool indices drawn uniformly. With
    /// `coverEveryClass`, the draw is repeated (up to 100,000 times, as in the
    /// noise-stability code's `select_init_set`) until every class appears.
    /// Draw a uses stream (`seed`, "initial-selection" a).
    public static func initialSelection(labels: [Int32]?, poolSize: Int, count: Int, classes: Int,
                                        coverEveryClass: Bool, seed: UInt64) throws -> [Int] {
        guard count <= poolSize else {
            throw SelectionError(message: "the initial set of \(count) is larger than the pool of \(poolSize)")
        }
        guard coverEveryClass, let labels else {
            var random = RandomStream(seed: seed, purpose: "initial-selection", 0)
            return random.sample(Array(0..<poolSize), count: count)
        }
        guard count >= classes else {
            throw SelectionError(message: "an initial set of \(count) cannot cover all \(classes) classes")
        }
        let present = Set(labels.prefix(poolSize))
        guard present.count >= classes else {
            throw SelectionError(message: "the pool holds only \(present.count) of the \(classes) classes")
        }
        for attempt in 0..<100_000 {
            var random = RandomStream(seed: seed, purpose: "initial-selection", UInt64(attempt))
            let draw = random.sample(Array(0..<poolSize), count: count)
            if Set(draw.map { labels[$0] }).count == classes { return draw }
        }
        throw SelectionError(message: "no draw of \(count) covered every class in 100,000 attempts (a very rare class?)")
    }

    /// The candidates of a cycle: `count` indices drawn uniformly from the
    /// unlabelled pool (stream (`seed`, "candidates", cycle)), or the whole
    /// unlabelled pool in index order when `count` is nil or not smaller.
    public static func candidates(poolSize: Int, labeled: [Int], count: Int?, cycle: Int, seed: UInt64) -> [Int] {
        var isLabeled = [Bool](repeating: false, count: poolSize)
        for index in labeled { isLabeled[index] = true }
        let unlabeled = (0..<poolSize).filter { !isLabeled[$0] }
        guard let count, count < unlabeled.count else { return unlabeled }
        var random = RandomStream(seed: seed, purpose: "candidates", UInt64(cycle))
        return random.sample(unlabeled, count: count)
    }
}

/// The area under the budget curve (Zhan et al., IJCAI 2021; DeepAL+'s
/// `get_aubc`): the trapezoid rule over the labelled-set sizes, divided by
/// the span of the budget, i.e. the mean metric over the queried budget.
/// With equal steps b this is (1/Q) Σ_r b·(a_r + a_{r+1})/2, and a shorter
/// last step k contributes k·(a_{R−1} + a_R)/2, exactly as DeepAL+.
public enum AUBC {
    public static func area(budgets: [Int], values: [Double]) -> Double? {
        guard budgets.count == values.count, budgets.count >= 2,
              let first = budgets.first, let last = budgets.last, last > first else {
            return values.count == 1 ? values[0] : nil
        }
        var total = 0.0
        for r in 0..<(budgets.count - 1) {
            total += Double(budgets[r + 1] - budgets[r]) * (values[r] + values[r + 1]) / 2
        }
        return total / Double(last - first)
    }
}
