import Foundation
import NeuralNetworks
import Tensors
import Testing

@Suite struct LayerGradientTests {
    @Test func linear() {
        #expect(GradientCheck.layer(Linear(inputDimensions: 7, outputDimensions: 5), input: GradientCheck.randomTensor([6, 7], seed: 10)) < 1e-3)
    }

    @Test(arguments: [(1, 0), (1, 1), (2, 1)])
    func conv2D(stride: Int, padding: Int) {
        let layer = Conv2D(inputChannels: 3, outputChannels: 4, kernelSize: 3, stride: stride, padding: padding)
        #expect(GradientCheck.layer(layer, input: GradientCheck.randomTensor([2, 7, 6, 3], seed: 11)) < 1e-3)
    }

    @Test func reluMaxPoolFlattenDropout() {
        #expect(GradientCheck.layer(ReLU(), input: GradientCheck.randomTensor([5, 9], seed: 12), epsilon: 1e-3) < 1e-2)
        #expect(GradientCheck.layer(MaxPool2D(window: 2), input: GradientCheck.randomTensor([2, 6, 4, 3], seed: 13), epsilon: 1e-3) < 1e-2)
        #expect(GradientCheck.layer(Flatten(), input: GradientCheck.randomTensor([2, 3, 4, 2], seed: 14)) < 1e-4)
        #expect(GradientCheck.layer(Dropout(probability: 0.4), input: GradientCheck.randomTensor([8, 10], seed: 15)) < 1e-4)
    }

    @Test func dropoutKeepsTheRightFractionAndScales() {
        var context = ForwardContext(mode: .training, random: RandomStream(seed: 1, stream: 2))
        let (y, _) = Dropout(probability: 0.3).forward(Tensor(shape: [100, 100], repeating: 1), parameters: [], context: &context)
        let kept = y.scalars.filter { $0 != 0 }
        #expect(abs(Double(kept.count) / 10_000 - 0.7) < 0.02)
        #expect(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-6 })
        var inference = ForwardContext.inference
        #expect(Dropout(probability: 0.3).forward(y, parameters: [], context: &inference).output == y)
    }

    @Test func crossEntropyGradient() {
        let logits = GradientCheck.randomTensor([6, 4], seed: 20, scale: 2)
        let labels: [Int32] = [0, 3, 1, 1, 2, 3]
        for weights in [nil, Loss.classBalancedWeights(labels: labels, classes: 4)] {
            let (_, gradient) = Loss.softmaxCrossEntropy(logits: logits, labels: labels, classWeights: weights)
            let direction = GradientCheck.randomTensor([6, 4], seed: 21)
            let epsilon: Float = 1e-2
            let plus = Loss.softmaxCrossEntropy(logits: GradientCheck.shifted(logits, direction, epsilon), labels: labels, classWeights: weights).loss
            let minus = Loss.softmaxCrossEntropy(logits: GradientCheck.shifted(logits, direction, -epsilon), labels: labels, classWeights: weights).loss
            let numeric = (plus - minus) / Double(2 * epsilon)
            #expect(abs(numeric - GradientCheck.dot(gradient, direction)) < 1e-3 * max(1, abs(numeric)))
        }
    }

    @Test func crossEntropyValues() {
        // Uniform logits over 4 classes: loss log 4; class-balanced sum over 2 classes present: 2·log 4.
        let logits = Tensor(shape: [2, 4])
        #expect(abs(Loss.softmaxCrossEntropy(logits: logits, labels: [0, 1]).loss - log(4.0)) < 1e-6)
        let weights = Loss.classBalancedWeights(labels: [0, 1], classes: 4)
        #expect(abs(Loss.softmaxCrossEntropy(logits: logits, labels: [0, 1], classWeights: weights).loss - 2 * log(4.0)) < 1e-4)
        // Very confident and wrong: finite, large.
        let extreme = Loss.softmaxCrossEntropy(logits: Tensor(rows: [[1000, -1000]]), labels: [1])
        #expect(extreme.loss.isFinite && abs(extreme.loss - 2000) < 1e-3)
    }

    @Test func meanSquaredErrorGradient() {
        let predictions = GradientCheck.randomTensor([5, 2], seed: 30), targets = GradientCheck.randomTensor([5, 2], seed: 31)
        let (loss, gradient) = Loss.meanSquaredError(predictions: predictions, targets: targets)
        let expected = zip(predictions.scalars, targets.scalars).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / 10
        #expect(abs(loss - expected) < 1e-6)
        let direction = GradientCheck.randomTensor([5, 2], seed: 32)
        let plus = Loss.meanSquaredError(predictions: GradientCheck.shifted(predictions, direction, 1e-2), targets: targets).loss
        let minus = Loss.meanSquaredError(predictions: GradientCheck.shifted(predictions, direction, -1e-2), targets: targets).loss
        #expect(abs((plus - minus) / 2e-2 - GradientCheck.dot(gradient, direction)) < 1e-3)
    }
}
