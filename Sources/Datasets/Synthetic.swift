import Tensors

/// Data sets generated from a seed.
public enum SyntheticDataset: Equatable, Sendable {
    /// Implementation version of the generators (part of the load stage key of synthetic sources).
    public static let version = 1

    /// Isotropic Gaussian blobs in 2-D, one per class, with `sizes[c]` points
    /// around `centers[c]` with standard deviation `spread`.
    ///
    /// The IBAL paper's synthetic set is three overlapping classes of 2000,
    /// 500 and 50 points; its exact centres are not published, so alflow's
    /// default (`ibalDefault`) puts them on a triangle of side 2 with unit
    /// spread, which overlaps strongly (imbalance hurts random sampling,
    /// overlap hurts uncertainty sampling).
    case blobs(sizes: [Int], centers: [[Double]], spread: Double, seed: UInt64)

    public static func ibalDefault(seed: UInt64 = 0) -> SyntheticDataset {
        .blobs(sizes: [2000, 500, 50], centers: [[0, 0], [2, 0], [1, 1.732]], spread: 1, seed: seed)
    }

    public func generate() -> RawDataset {
        switch self {
        case .blobs(let sizes, let centers, let spread, let seed):
            let dimensions = centers.first?.count ?? 2
            var random = RandomStream(seed: seed, purpose: "synthetic-blobs")
            var values: [Float] = []
            var labels: [Int32] = []
            for (c, size) in sizes.enumerated() {
                for _ in 0..<size {
                    for d in 0..<dimensions { values.append(Float(centers[c][d] + spread * random.nextNormal())) }
                    labels.append(Int32(c))
                }
            }
            // Interleave classes so that an ordered split would still see all of them.
            let order = random.permutation(labels.count)
            let features = Tensor(shape: [labels.count, dimensions], scalars: values).gatherRows(order)
            return RawDataset(task: .classification(classes: sizes.count), featureShape: [dimensions],
                              featureNames: (0..<dimensions).map { "x\($0)" },
                              samples: LabeledSamples(features: features, targets: .classes(order.map { labels[$0] })))
        }
    }
}
