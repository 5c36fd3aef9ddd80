import Datasets
import Foundation
import NeuralNetworks
import Tensors
import TestSupport
import Testing

/// SmallNet on real MNIST (fetched by name, as `builtin: mnist` is): 10,000 training images, the 10,000 test images.
@Suite struct MNISTIntegrationTests {
    @Test(.enabled(if: TestData.available("mnist"), "needs MNIST (set ALFLOW_DATA_MIRROR, or network access)"))
    func smallNetReachesNinetySevenPercent() throws {
        let (train, _) = try IDXLoader.samples(images: try TestData.path("mnist", "train-images-idx3-ubyte.gz"),
                                               labels: try TestData.path("mnist", "train-labels-idx1-ubyte.gz"))
        let (test, _) = try IDXLoader.samples(images: try TestData.path("mnist", "t10k-images-idx3-ubyte.gz"),
                                              labels: try TestData.path("mnist", "t10k-labels-idx1-ubyte.gz"))
        let raw = RawDataset(task: .classification(classes: 10), featureShape: [28, 28, 1],
                             samples: train.subset(Array(0..<10_000)), test: test)
        let data = try Preparation.prepare(raw, options: .init(normalize: .global), source: "mnist")
        #expect(abs(data.normalization.shift[0] / 255 - 0.1307) < 0.005)

        let network = Network.make(.smallNet(dropout: 0), inputShape: [28, 28, 1], outputs: 10)
        var random = RandomStream(seed: 1, purpose: "init")
        let trainer = Trainer(network: network, configuration: TrainingConfiguration(epochs: 4, batchSize: 32, learningRate: 1e-3), seed: 2)
        var state = trainer.initialState(parameters: network.initialParameters(&random))
        trainer.train(&state, features: data.train.features, targets: .classes(TrainingTests.labels(data.train), classes: 10))
        let accuracy = TrainingTests.accuracy(network, state.parameters, data.test)
        #expect(accuracy >= 0.97, "SmallNet test accuracy \(accuracy)")
    }
}
