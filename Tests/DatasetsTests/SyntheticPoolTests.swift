import Datasets
import Tensors
import Testing

/// The generated pool is the same whichever blocks it is produced in, and
/// its normalisation is the one `Preparation` fits on the whole pool.
@Suite struct SyntheticPoolTests {
    static let pool = SyntheticPool(sizes: [700, 500, 301], dimensions: 9, spread: 2, seed: 4, test: 97)

    @Test func anyBlockOfRowsIsTheSameRowsOfTheWholePool() {
        let pool = Self.pool
        let (labels, testLabels) = pool.labels()
        #expect(labels.count == 1_501 && testLabels.count == 97)
        #expect((0..<3).map { c in labels.filter { $0 == Int32(c) }.count } == [700, 500, 301])
        let centers = pool.centers()
        let whole = pool.features(0..<1_501, test: false, labels: labels, centers: centers)
        for cuts in [[0, 1, 1_501], [0, 511, 513, 1_024, 1_501], [0, 1_500, 1_501]] {
            var joined: [Float] = []
            for (start, end) in zip(cuts, cuts.dropFirst()) { joined += pool.features(start..<end, test: false, labels: labels, centers: centers) }
            #expect(joined == whole, "\(cuts)")
        }
        #expect(pool.features(0..<97, test: true, labels: testLabels, centers: centers) != Array(whole.prefix(97 * 9)))
    }

    @Test(arguments: [NormalizationMethod.standardize, .scale, .none])
    func normalisationMatchesPreparationOnTheWholePool(method: NormalizationMethod) {
        let pool = Self.pool
        let (labels, _) = pool.labels()
        let centers = pool.centers()
        let whole = Tensor(shape: [1_501, 9], scalars: pool.features(0..<1_501, test: false, labels: labels, centers: centers))
        let expected = Preparation.fit(method, whole)
        let streamed = pool.fit(method, labels: labels, centers: centers, block: 100)
        #expect(streamed == expected)
        #expect(pool.normalizedFeatures(0..<1_501, test: false, labels: labels, centers: centers, normalization: streamed)
                == Preparation.apply(expected, whole).scalars)
    }
}
