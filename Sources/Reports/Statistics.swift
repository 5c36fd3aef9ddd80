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

    public init(_ results: ResultSet, cycles: Int) {
        self.results = results
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
    public func best(_ metric: String) -> String? {
        let higher = Metric(rawValue: metric)?.higherIsBetter ?? true
        let scored = results.strategies.compactMap { s in areas[metric]?[s]?.mean.map { (s, $0) } }
        return (higher ? scored.max { $0.1 < $1.1 } : scored.min { $0.1 < $1.1 })?.0
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
