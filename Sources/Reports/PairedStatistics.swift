import Foundation
import Tensors

/// Paired comparisons over seeds: on the same seed two strategies share the
/// initial labelled set and the first model, so the per-seed difference is
/// the quantity to judge. Differences are oriented so that positive means
/// "better" (larger accuracy, smaller error).
public enum PairedStatistics {
    public struct Comparison: Sendable, Equatable {
        public let strategy: String
        public let reference: String
        /// Per common seed, in seed order.
        public let differences: [Double]
        public let mean: Double
        /// 95 % percentile bootstrap interval of the mean difference.
        public let low: Double
        public let high: Double
        public let wins: Int
        public let ties: Int
        public let losses: Int
    }

    /// `a` against `b` on the seeds both have (nil with fewer than two).
    public static func compare(_ strategy: String, _ a: [UInt64: Double], against reference: String, _ b: [UInt64: Double],
                               higherIsBetter: Bool) -> Comparison? {
        let seeds = a.keys.filter { b[$0] != nil }.sorted()
        guard seeds.count >= 2 else { return nil }
        let differences = seeds.map { seed -> Double in
            let d = (a[seed] ?? 0) - (b[seed] ?? 0)
            return higherIsBetter ? d : -d
        }
        let (low, high) = bootstrapInterval(differences)
        return Comparison(strategy: strategy, reference: reference, differences: differences, mean: Summary.mean(differences),
                          low: low, high: high, wins: differences.filter { $0 > 0 }.count, ties: differences.filter { $0 == 0 }.count,
                          losses: differences.filter { $0 < 0 }.count)
    }

    /// The 2.5 % and 97.5 % quantiles (linear interpolation, as numpy's
    /// default) of the bootstrap distribution of the mean. Exact — every one
    /// of the nⁿ equally likely resamples — up to 6 values; beyond, 20,000
    /// resamples from a fixed stream, so a report is deterministic.
    public static func bootstrapInterval(_ values: [Double]) -> (Double, Double) {
        let n = values.count
        guard n > 0 else { return (.nan, .nan) }
        var means: [Double] = []
        if n <= 6 {
            let total = Int(pow(Double(n), Double(n)))
            means.reserveCapacity(total)
            var counter = [Int](repeating: 0, count: n)
            for _ in 0..<total {
                means.append(counter.reduce(0.0) { $0 + values[$1] } / Double(n))
                var position = 0
                while position < n {
                    counter[position] += 1
                    if counter[position] < n { break }
                    counter[position] = 0
                    position += 1
                }
            }
        } else {
            var random = RandomStream(seed: 2_024, purpose: "report-bootstrap", UInt64(n))
            means = (0..<20_000).map { _ in
                (0..<n).reduce(0.0) { sum, _ in sum + values[random.nextInt(below: n)] } / Double(n)
            }
        }
        means.sort()
        return (quantile(means, 0.025), quantile(means, 0.975))
    }

    /// numpy's default ("linear") quantile of sorted values.
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = p * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    /// The paired t statistic of differences and its two-sided p-value
    /// (Student's t with n − 1 degrees of freedom). Zero spread: t is ±∞ (p 0)
    /// unless the mean is 0 too (t 0, p 1).
    public static func pairedT(_ differences: [Double]) -> (t: Double, p: Double) {
        let n = differences.count
        guard n >= 2 else { return (0, 1) }
        let mean = Summary.mean(differences), sd = Summary.sampleStd(differences)
        guard sd > 0 else { return mean == 0 ? (0, 1) : (mean > 0 ? .infinity : -.infinity, 0) }
        let t = mean / (sd / Double(n).squareRoot())
        let df = Double(n - 1)
        return (t, regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5))
    }

    /// I_x(a, b) by the continued fraction (Lentz's method).
    static func regularizedIncompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let front = exp(logBeta + logPowers)
        if x > (a + 1) / (a + b + 2) { return 1 - front * continuedFraction(1 - x, b, a) / b }
        return front * continuedFraction(x, a, b) / a
    }

    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...500 {
            let m = Double(m)
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d; if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d; if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            result *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return result
    }
}
