import Datasets

/// Checks 32×32×3 NHWC images against a formula of (sample, row, column, channel)
/// — shared by the CIFAR and SVHN loader tests.
enum ImagePattern {
    /// Feature (row, column, channel) of sample n of NHWC `[n, 32, 32, 3]` features.
    static func value(_ samples: LabeledSamples, _ n: Int, _ row: Int, _ column: Int, _ channel: Int) -> Float {
        samples.features.scalars[((n * 32 + row) * 32 + column) * 3 + channel]
    }

    /// How many values differ from `expected(first + n, row, column, channel)`.
    static func mismatches(_ samples: LabeledSamples, first: Int, _ expected: (Int, Int, Int, Int) -> Float) -> Int {
        var count = 0
        for n in 0..<samples.count {
            for row in 0..<32 {
                for column in 0..<32 {
                    for channel in 0..<3 where value(samples, n, row, column, channel) != expected(first + n, row, column, channel) {
                        count += 1
                    }
                }
            }
        }
        return count
    }
}
