import Foundation
import Tensors

/// A large synthetic pool generated a block of rows at a time, never whole:
/// `sizes.count` Gaussian blobs in `dimensions` dimensions, plus `test`
/// rows of its own (`synthetic: {kind: blobs, dimensions: …}`).
///
/// - Centre of class c: coordinates N(0, 1) from stream (seed, "synthetic-pool-center", c).
/// - Pool labels: `sizes[c]` rows of class c, shuffled by stream (seed, "synthetic-pool-order");
///   test labels: class `j mod C` for test row j, shuffled by stream (seed, "synthetic-pool-test-order").
/// - Row r of the pool (test row j): centre + `spread` · N(0, I) from stream
///   (seed, "synthetic-pool-row", r) (respectively "synthetic-pool-test-row", j),
///   so any block of rows is generated alone, in parallel, identically.
/// - Normalisation constants come from one pass over the pool in row order
///   (standardize: per-feature mean and E[x²] − mean²; global: the same over
///   all values; scale: per-feature min and max).
public struct SyntheticPool: Sendable, Equatable {
    public let sizes: [Int]
    public let dimensions: Int
    public let spread: Double
    public let seed: UInt64
    public let test: Int

    /// Implementation version of the generator (part of its load stage key through the loader versions).
    public static let version = 1

    public init(sizes: [Int], dimensions: Int, spread: Double, seed: UInt64, test: Int) {
        self.sizes = sizes
        self.dimensions = dimensions
        self.spread = spread
        self.seed = seed
        self.test = test
    }

    public var classes: Int { sizes.count }
    public var poolRows: Int { sizes.reduce(0, +) }

    /// The class centres, row-major `[C, dimensions]`.
    public func centers() -> [Double] {
        (0..<classes).flatMap { c -> [Double] in
            var random = RandomStream(seed: seed, purpose: "synthetic-pool-center", UInt64(c))
            return (0..<dimensions).map { _ in random.nextNormal() }
        }
    }

    public func labels() -> (pool: [Int32], test: [Int32]) {
        var pool = sizes.enumerated().flatMap { [Int32](repeating: Int32($0.offset), count: $0.element) }
        var random = RandomStream(seed: seed, purpose: "synthetic-pool-order")
        random.shuffle(&pool)
        var test = (0..<self.test).map { Int32($0 % classes) }
        var testRandom = RandomStream(seed: seed, purpose: "synthetic-pool-test-order")
        testRandom.shuffle(&test)
        return (pool, test)
    }

    /// Raw features of rows `range` of the pool (or of the test rows), row-major.
    public func features(_ range: Range<Int>, test isTest: Bool, labels: [Int32], centers: [Double]) -> [Float] {
        // Fixed sub-blocks generated in parallel, joined in order: the same values on any number of threads.
        let parts = stride(from: range.lowerBound, to: range.upperBound, by: 512).map { $0..<min(range.upperBound, $0 + 512) }
        let results = Results(count: parts.count)
        DispatchQueue.concurrentPerform(iterations: parts.count) { index in
            var values: [Float] = []
            values.reserveCapacity(parts[index].count * dimensions)
            for row in parts[index] {
                var random = RandomStream(seed: seed, purpose: isTest ? "synthetic-pool-test-row" : "synthetic-pool-row", UInt64(row))
                let center = Int(labels[row]) * dimensions
                for d in 0..<dimensions { values.append(Float(centers[center + d] + spread * random.nextNormal())) }
            }
            results.set(index, values)
        }
        return results.joined()
    }

    /// The normalisation of `method` fitted over the pool, `block` rows at a time.
    public func fit(_ method: NormalizationMethod, labels: [Int32], centers: [Double], block: Int = 4096) -> Normalization {
        var sum = [Double](repeating: 0, count: dimensions), squares = sum
        var low = [Double](repeating: .infinity, count: dimensions), high = [Double](repeating: -.infinity, count: dimensions)
        let rows = poolRows
        if method != .none {
            var start = 0
            while start < rows {
                let range = start..<min(rows, start + block)
                start = range.upperBound
                let values = features(range, test: false, labels: labels, centers: centers)
                for r in 0..<range.count {
                    for j in 0..<dimensions {
                        let v = Double(values[r * dimensions + j])
                        sum[j] += v
                        squares[j] += v * v
                        low[j] = min(low[j], v)
                        high[j] = max(high[j], v)
                    }
                }
            }
        }
        let n = Double(max(1, rows))
        var shift = [Float](repeating: 0, count: dimensions), factor = [Float](repeating: 1, count: dimensions)
        switch method {
        case .none:
            break
        case .global:
            let mean = sum.reduce(0, +) / (n * Double(dimensions))
            let std = max(0, squares.reduce(0, +) / (n * Double(dimensions)) - mean * mean).squareRoot()
            shift = [Float](repeating: Float(mean), count: dimensions)
            factor = [Float](repeating: std > 1e-12 ? Float(1 / std) : 1, count: dimensions)
        case .standardize:
            for j in 0..<dimensions {
                let mean = sum[j] / n
                let std = max(0, squares[j] / n - mean * mean).squareRoot()
                shift[j] = Float(mean)
                factor[j] = std > 1e-12 ? Float(1 / std) : 1
            }
        case .scale:
            for j in 0..<dimensions {
                shift[j] = Float(low[j])
                factor[j] = high[j] - low[j] > 1e-12 ? Float(1 / (high[j] - low[j])) : 1
            }
        }
        return Normalization(method: method, shift: shift, factor: factor)
    }

    /// Rows `range`, normalised as `Preparation.apply` does: (x − shift)·factor per feature.
    public func normalizedFeatures(_ range: Range<Int>, test isTest: Bool, labels: [Int32], centers: [Double],
                                   normalization n: Normalization) -> [Float] {
        var values = features(range, test: isTest, labels: labels, centers: centers)
        guard n.method != .none else { return values }
        for i in 0..<range.count {
            for j in 0..<dimensions { values[i * dimensions + j] = (values[i * dimensions + j] - n.shift[j]) * n.factor[j] }
        }
        return values
    }
}

/// Parallel parts, collected under a lock and joined in index order.
/// `@unchecked`: every access to `parts` holds `lock`.
private final class Results: @unchecked Sendable {
    private var parts: [[Float]]
    private let lock = NSLock()

    init(count: Int) { parts = [[Float]](repeating: [], count: count) }

    func set(_ index: Int, _ values: [Float]) { lock.withLock { parts[index] = values } }

    func joined() -> [Float] { lock.withLock { parts.flatMap { $0 } } }
}
