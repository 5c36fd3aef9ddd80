import ActiveLearning
import Workflows

/// Means, spreads and areas under the budget curve of a result set.
public struct Summary: Sendable {
    public struct Point: Sendable, Equatable {
        public let labeled: Int
        public let mean: Double
        /// Sample standard deviation over seeds (n − 1 in the denominator; 0 for one seed).
        public let std: Double
        public let count: Int
    }

    public struct Area: Sendable, Equatable {
        /// AUBC per seed, for seeds whose curve is complete.
        public let perSeed: [UInt64: Double]
        public let mean: Double?
        public let std: Double?
    }

    public let results: ResultSet
    /// metric → strategy → points by labelled-set size.
    public let curves: [String: [String: [Point]]]
    /// metric → strategy → AUBC.
    public let areas: [String: [String: Area]]
    /// The strategy the paired table compares against (nil: random, else the first).
    public let baseline: String?
    /// Metric values whose labelled-set size to reach the report gives.
    public let targets: [Double]

    public init(_ results: ResultSet, cycles: Int, baseline: String? = nil, targets: [Double] = []) {
        self.results = results
        self.baseline = baseline
        self.targets = targets
        var curves: [String: [String: [Point]]] = [:]
        var areas: [String: [String: Area]] = [:]
        for metric in results.metrics {
            for strategy in results.strategies {
                let rows = results.rows.filter { $0.metric == metric && $0.strategy == strategy }
                let sizes = Array(Set(rows.map(\.labeled))).sorted()
                curves[metric, default: [:]][strategy] = sizes.map { size in
                    let values = rows.filter { $0.labeled == size }.map(\.value)
                    return Point(labeled: size, mean: Self.mean(values), std: Self.sampleStd(values), count: values.count)
                }
                var perSeed: [UInt64: Double] = [:]
                for seed in results.seeds {
                    let curve = rows.filter { $0.seed == seed }.sorted { $0.cycle < $1.cycle }
                    guard curve.count == cycles else { continue }
                    perSeed[seed] = AUBC.area(budgets: curve.map(\.labeled), values: curve.map(\.value))
                }
                let values = results.seeds.compactMap { perSeed[$0] }
                areas[metric, default: [:]][strategy] = Area(perSeed: perSeed, mean: values.isEmpty ? nil : Self.mean(values),
                                                             std: values.isEmpty ? nil : Self.sampleStd(values))
            }
        }
        self.curves = curves
        self.areas = areas
    }

    /// The strategy with the best mean AUBC (largest accuracy, smallest error).
    public func bestMean(_ metric: String) -> String? {
        let higher = Metric(rawValue: metric)?.higherIsBetter ?? true
        let scored = results.strategies.compactMap { s in areas[metric]?[s]?.mean.map { (s, $0) } }
        return (higher ? scored.max { $0.1 < $1.1 } : scored.min { $0.1 < $1.1 })?.0
    }

    /// The strategy marked ★: the best mean, and only if its paired 95 %
    /// bootstrap interval against every other strategy lies above zero.
    public func best(_ metric: String) -> String? {
        guard let leader = bestMean(metric), tied(metric).isEmpty else { return nil }
        return leader
    }

    /// The strategies the best mean cannot be told apart from (its paired
    /// interval against them reaches zero, or there are too few seeds); empty when one leads.
    public func tied(_ metric: String) -> [String] {
        guard let leader = bestMean(metric) else { return [] }
        let others = results.strategies.filter { $0 != leader && areas[metric]?[$0]?.mean != nil }
        let behind = others.filter { comparison(leader, against: $0, metric)?.low ?? 0 > 0 }
        return behind.count == others.count ? [] : [leader] + others.filter { !behind.contains($0) }
    }

    /// `strategy` against `reference` on per-seed AUBC.
    public func comparison(_ strategy: String, against reference: String, _ metric: String) -> PairedStatistics.Comparison? {
        guard let a = areas[metric]?[strategy]?.perSeed, let b = areas[metric]?[reference]?.perSeed else { return nil }
        return PairedStatistics.compare(strategy, a, against: reference, b, higherIsBetter: Metric(rawValue: metric)?.higherIsBetter ?? true)
    }

    /// The reference of the paired table: `random` when the workflow has it, else the first strategy.
    public var reference: String? {
        if let baseline, results.strategies.contains(baseline) { return baseline }
        return results.strategies.contains("random") ? "random" : results.strategies.first
    }

    /// Labelled-set size to reach `target` (accuracy at least, errors at
    /// most), interpolated linearly between measured sizes, per seed; the
    /// mean over the seeds that reach it, and how many do.
    public struct Reach: Sendable, Equatable {
        public let mean: Double?
        public let reached: Int
        public let seeds: Int
    }

    public func reach(_ metric: String, target: Double) -> [String: Reach] {
        let higher = Metric(rawValue: metric)?.higherIsBetter ?? true
        var result: [String: Reach] = [:]
        for strategy in results.strategies {
            var budgets: [Double] = []
            for seed in results.seeds {
                let curve = results.rows.filter { $0.metric == metric && $0.strategy == strategy && $0.seed == seed }.sorted { $0.labeled < $1.labeled }
                guard !curve.isEmpty else { continue }
                func reached(_ value: Double) -> Bool { higher ? value >= target : value <= target }
                guard let first = curve.firstIndex(where: { reached($0.value) }) else { continue }
                if first == 0 { budgets.append(Double(curve[0].labeled)); continue }
                let (a, b) = (curve[first - 1], curve[first])
                let fraction = (target - a.value) / (b.value - a.value)
                budgets.append(Double(a.labeled) + fraction * Double(b.labeled - a.labeled))
            }
            let seeds = results.seeds.filter { seed in results.rows.contains { $0.metric == metric && $0.strategy == strategy && $0.seed == seed } }.count
            result[strategy] = Reach(mean: budgets.isEmpty ? nil : Self.mean(budgets), reached: budgets.count, seeds: seeds)
        }
        return result
    }

    /// Every other strategy against the reference.
    public func comparisons(_ metric: String) -> [PairedStatistics.Comparison] {
        guard let reference else { return [] }
        return results.strategies.filter { $0 != reference }.compactMap { comparison($0, against: reference, metric) }
    }

    /// BADGE's pairwise matrix: entry [A][B] counts the labelled-set sizes
    /// at which a paired t-test over seeds (two-sided, α = 0.05) finds A better than B.
    public func pairwise(_ metric: String) -> [[Int]] {
        let strategies = results.strategies
        let higher = Metric(rawValue: metric)?.higherIsBetter ?? true
        var values: [String: [Int: [UInt64: Double]]] = [:]
        for row in results.rows where row.metric == metric { values[row.strategy, default: [:]][row.labeled, default: [:]][row.seed] = row.value }
        return strategies.map { a in
            strategies.map { b in
                guard a != b, let byBudgetA = values[a], let byBudgetB = values[b] else { return 0 }
                return byBudgetA.keys.filter { byBudgetB[$0] != nil }.filter { budget in
                    let seeds = (byBudgetA[budget] ?? [:]).keys.filter { byBudgetB[budget]?[$0] != nil }.sorted()
                    let d = seeds.map { seed -> Double in
                        let difference = (byBudgetA[budget]?[seed] ?? 0) - (byBudgetB[budget]?[seed] ?? 0)
                        return higher ? difference : -difference
                    }
                    let (t, p) = PairedStatistics.pairedT(d)
                    return d.count >= 2 && t > 0 && p < 0.05
                }.count
            }
        }
    }

    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    public static func sampleStd(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }
}
