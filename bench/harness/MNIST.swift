import Datasets
import Tensors

/// MNIST from the bench data folder (bench/run links it from the store), standardised like the paper (0.1307 / 0.3081).
struct MNISTData {
    let train: LabeledSamples
    let labels: [Int32]

    init(folder: String) throws {
        let (train, _) = try IDXLoader.samples(images: folder + "/train-images-idx3-ubyte.gz",
                                               labels: folder + "/train-labels-idx1-ubyte.gz")
        var features = train.features
        for i in 0..<features.count { features.scalars[i] = (features.scalars[i] / 255 - 0.1307) / 0.3081 }
        self.train = LabeledSamples(features: features, targets: train.targets)
        if case .classes(let c) = train.targets { labels = c } else { labels = [] }
    }

    func first(_ n: Int) -> (Tensor, [Int32]) {
        (train.features.rows(0..<n), Array(labels.prefix(n)))
    }
}
