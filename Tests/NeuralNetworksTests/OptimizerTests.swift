import NeuralNetworks
import Tensors
import Testing

@Suite struct OptimizerTests {
    func run(_ optimizer: Optimizer, rate: Float, gradients: [Float]) -> [Float] {
        var parameters = ParameterSet(names: ["w"], tensors: [Tensor(shape: [1], scalars: [1])])
        var state = optimizer.initialState(for: parameters)
        return gradients.map { g in
            optimizer.step(&parameters, gradients: ParameterSet(names: ["w"], tensors: [Tensor(shape: [1], scalars: [g])]),
                           state: &state, learningRate: rate)
            return parameters.tensors[0].scalars[0]
        }
    }

    /// Values computed by hand and confirmed with torch.optim.SGD / Adam.
    @Test func sgdWithMomentumAndWeightDecay() {
        let steps = run(.sgd(momentum: 0.9, weightDecay: 0.1), rate: 0.5, gradients: [2, 2])
        #expect(abs(steps[0] - -0.05) < 1e-6)
        #expect(abs(steps[1] - -1.9925) < 1e-5)
        let plain = run(.sgd(momentum: 0, weightDecay: 0), rate: 0.1, gradients: [1, -2])
        #expect(abs(plain[0] - 0.9) < 1e-7 && abs(plain[1] - 1.1) < 1e-6)
    }

    @Test func adamWithBiasCorrection() {
        let steps = run(.adamDefaults, rate: 0.1, gradients: [0.5, -1])
        #expect(abs(steps[0] - 0.9) < 1e-5)
        #expect(abs(steps[1] - 0.93661) < 1e-5)
    }

    @Test func multiStepSchedule() {
        let schedule = MultiStepSchedule(baseRate: 1e-3, milestones: [20, 30], gamma: 0.1)
        #expect(schedule.rate(epoch: 0) == 1e-3)
        #expect(schedule.rate(epoch: 19) == 1e-3)
        #expect(abs(schedule.rate(epoch: 20) - 1e-4) < 1e-10)
        #expect(abs(schedule.rate(epoch: 35) - 1e-5) < 1e-11)
    }
}
