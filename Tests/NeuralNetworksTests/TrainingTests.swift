import Datasets
import Foundation
import NeuralNetworks
import Tensors
import TestSupport
import Testing

@Suite struct TrainingTests {
    static func digits() throws -> Dataset {
        try Preparation.prepare(BuiltinDataset.digits.load(), options: .init(testFraction: 0.3), source: "digits")
    }

    static func labels(_ samples: LabeledSamples) -> [Int32] {
        if case .classes(let c) = samples.targets { return c }
        return []
    }

    static func accuracy(_ network: Network, _ parameters: ParameterSet, _ samples: LabeledSamples) -> Double {
        let predicted = network.infer(samples.features, parameters: parameters).outputs.argmaxRows()
        let truth = labels(samples)
        return Double(zip(predicted, truth).filter { $0 == Int($1) }.count) / Double(truth.count)
    }

    static func train(_ architecture: Architecture, _ data: LabeledSamples, inputShape: [Int], epochs: Int,
                      workers: Int, resumeAfter: Int? = nil) -> TrainerState {
        let network = Network.make(architecture, inputShape: inputShape, outputs: 10)
        var random = RandomStream(seed: 11, purpose: "init")
        let trainer = Trainer(network: network,
                              configuration: TrainingConfiguration(epochs: epochs, batchSize: 32, learningRate: 1e-3, milestones: [epochs - 1]),
                              seed: 77)
        var state = trainer.initialState(parameters: network.initialParameters(&random))
        let targets = TrainingTargets.classes(labels(data), classes: 10)
        return Parallel.withWorkers(workers) {
            if let resumeAfter {
                // Stop after `resumeAfter` epochs, keep only the saved state, continue with a fresh trainer.
                struct Stop: Error {}
                do {
                    try trainer.train(&state, features: data.features, targets: targets) { s in
                        if s.epochsCompleted == resumeAfter { throw Stop() }
                    }
                    Issue.record("training ran all \(epochs) epochs without stopping after epoch \(resumeAfter)")
                } catch is Stop {
                } catch {
                    Issue.record("training stopped with an unexpected error: \(error)")
                }
                #expect(state.epochsCompleted == resumeAfter && state.epochLosses.count == resumeAfter,
                        "saved state after stopping: \(state.epochsCompleted) epochs, \(state.epochLosses.count) losses; expected \(resumeAfter)")
                var saved = state
                let resumed = Trainer(network: network, configuration: trainer.configuration, seed: 77)
                resumed.train(&saved, features: data.features, targets: targets)
                return saved
            }
            trainer.train(&state, features: data.features, targets: targets)
            return state
        }
    }

    @Test func mlpReachesNinetyFivePercentOnDigits() throws {
        let data = try Self.digits()
        let network = Network.make(.mlp(hidden: [128], dropout: 0), inputShape: [64], outputs: 10)
        var random = RandomStream(seed: 3, purpose: "init")
        let trainer = Trainer(network: network, configuration: TrainingConfiguration(epochs: 30, batchSize: 32, learningRate: 1e-3), seed: 5)
        var state = trainer.initialState(parameters: network.initialParameters(&random))
        trainer.train(&state, features: data.train.features, targets: .classes(Self.labels(data.train), classes: 10))
        let accuracy = Self.accuracy(network, state.parameters, data.test)
        #expect(accuracy >= 0.95, "test accuracy \(accuracy)")
        #expect(state.epochLosses.last! < state.epochLosses.first!)
    }

    @Test func trainingIsBitIdenticalForOneAndTwoWorkers() throws {
        let data = try Self.digits().train.subset(Array(0..<300))
        let one = Self.train(.mlp(hidden: [64], dropout: 0.2), data, inputShape: [64], epochs: 4, workers: 1)
        let two = Self.train(.mlp(hidden: [64], dropout: 0.2), data, inputShape: [64], epochs: 4, workers: 2)
        #expect(one == two)
        let images = LabeledSamples(features: GradientCheck.randomTensor([120, 16, 16, 1], seed: 8), targets: .classes((0..<120).map { Int32($0 % 10) }))
        let cnnOne = Self.train(.smallNet(dropout: 0.3), images, inputShape: [16, 16, 1], epochs: 2, workers: 1)
        let cnnTwo = Self.train(.smallNet(dropout: 0.3), images, inputShape: [16, 16, 1], epochs: 2, workers: 2)
        #expect(cnnOne.parameters.tensors.map { $0.scalars.map(\.bitPattern) } == cnnTwo.parameters.tensors.map { $0.scalars.map(\.bitPattern) })
    }

    @Test func resumingFromAnEpochStateIsBitIdentical() throws {
        let data = try Self.digits().train.subset(Array(0..<250))
        let straight = Self.train(.mlp(hidden: [32], dropout: 0.3), data, inputShape: [64], epochs: 6, workers: 2)
        for stop in [1, 3, 5] {
            let resumed = Self.train(.mlp(hidden: [32], dropout: 0.3), data, inputShape: [64], epochs: 6, workers: 2, resumeAfter: stop)
            #expect(resumed == straight, "resumed after epoch \(stop)")
        }
    }

    @Test func classBalancedLossAppliesOnlyWhileOneBatch() {
        let x = GradientCheck.randomTensor([20, 4], seed: 1)
        let labels: [Int32] = (0..<20).map { $0 < 17 ? 0 : 1 }
        let network = Network.make(.linear, inputShape: [4], outputs: 2)
        func run(balanced: Bool, batch: Int) -> ParameterSet {
            var random = RandomStream(seed: 2, purpose: "init")
            let trainer = Trainer(network: network, configuration: TrainingConfiguration(
                epochs: 1, batchSize: batch, learningRate: 0.01, classBalancedWhenSingleBatch: balanced), seed: 1)
            var state = trainer.initialState(parameters: network.initialParameters(&random))
            trainer.train(&state, features: x, targets: .classes(labels, classes: 2))
            return state.parameters
        }
        #expect(run(balanced: true, batch: 32) != run(balanced: false, batch: 32))
        #expect(run(balanced: true, batch: 8) == run(balanced: false, batch: 8))
    }
}
