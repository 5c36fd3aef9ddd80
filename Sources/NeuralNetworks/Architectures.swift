import Tensors

/// The network families alflow trains.
public enum Architecture: Equatable, Sendable {
    /// Multi-layer perceptron: `Linear → ReLU (→ Dropout)` per hidden size,
    /// then a linear head. The embedding is the last hidden activation.
    case mlp(hidden: [Int], dropout: Float)
    /// The noise-stability paper's MNIST CNN (its `backbone.py`): conv 5×5
    /// 1→32, max-pool 2, ReLU, conv 5×5 32→64, max-pool 2, ReLU, flatten,
    /// Linear →128 with no activation (the embedding), Linear 128→classes.
    /// Optional dropout after each conv block and after fc1 (p = 0.3 in the
    /// paper's MC-dropout baselines).
    case smallNet(dropout: Float)
    /// The paper's regression MLP (`MLP_Regression`): in→128→64→32→1 with
    /// ReLU after the first two; the 32-d output is the embedding.
    case regressionMLP(dropout: Float)
    /// Multinomial logistic regression; the embedding is the input itself.
    case linear

    /// The implementation version of each family (part of the key of every
    /// stage that builds the network): bump it when its layers, initialisation
    /// or forward/backward computation change.
    public var version: Int {
        switch self {
        case .mlp: return 1
        case .smallNet: return 1
        case .regressionMLP: return 1
        case .linear: return 1
        }
    }

    /// The same architecture with another dropout probability.
    public func withDropout(_ p: Float) -> Architecture {
        switch self {
        case .mlp(let hidden, _): return .mlp(hidden: hidden, dropout: p)
        case .smallNet: return .smallNet(dropout: p)
        case .regressionMLP: return .regressionMLP(dropout: p)
        case .linear: return .linear
        }
    }

    public var dropout: Float {
        switch self {
        case .mlp(_, let p), .smallNet(let p), .regressionMLP(let p): return p
        case .linear: return 0
        }
    }

    /// Why this architecture cannot take inputs of `inputShape`, or nil if it can.
    public func incompatibility(inputShape: [Int]) -> String? {
        guard case .smallNet = self else { return nil }
        guard inputShape.count == 3 else {
            return "smallnet needs images (height × width × channels); the data set's samples have shape \(inputShape)"
        }
        let side = min(inputShape[0], inputShape[1])
        if ((side - 4) / 2 - 4) / 2 < 1 {
            return "smallnet needs images of at least 16×16 pixels; the data set's images are \(inputShape[0])×\(inputShape[1])"
        }
        return nil
    }
}

extension Network {
    /// Builds `architecture` for samples of `inputShape` and `outputs` outputs.
    /// The caller checks `incompatibility(inputShape:)` first.
    public static func make(_ architecture: Architecture, inputShape: [Int], outputs: Int) -> Network {
        let inputs = inputShape.reduce(1, *)
        var layers: [(String, any Layer)] = []
        var embedding = 0
        // Linear layers are named by their position among linear layers ("0",
        // "1", …), so parameter names do not change when dropout is added.
        var linearCount = 0
        func linear(_ inputs: Int, _ outputs: Int) {
            layers.append(("\(linearCount)", Linear(inputDimensions: inputs, outputDimensions: outputs)))
            linearCount += 1
        }
        func activation() { layers.append(("relu\(linearCount - 1)", ReLU())) }
        func dropout(_ p: Float) { if p > 0 { layers.append(("dropout\(linearCount - 1)", Dropout(probability: p))) } }

        switch architecture {
        case .mlp(let hidden, let p):
            layers.append(("flatten", Flatten()))
            var width = inputs
            for size in hidden {
                linear(width, size)
                activation()
                embedding = layers.count - 1
                dropout(p)
                width = size
            }
            linear(width, outputs)
        case .linear:
            layers = [("flatten", Flatten()), ("0", Linear(inputDimensions: inputs, outputDimensions: outputs))]
            embedding = 0
        case .smallNet(let p):
            let channels = inputShape.count == 3 ? inputShape[2] : 1
            layers.append(("conv1", Conv2D(inputChannels: channels, outputChannels: 32, kernelSize: 5)))
            layers.append(("pool1", MaxPool2D(window: 2)))
            layers.append(("relu1", ReLU()))
            if p > 0 { layers.append(("drop1", Dropout(probability: p))) }
            layers.append(("conv2", Conv2D(inputChannels: 32, outputChannels: 64, kernelSize: 5)))
            layers.append(("pool2", MaxPool2D(window: 2)))
            layers.append(("relu2", ReLU()))
            if p > 0 { layers.append(("drop2", Dropout(probability: p))) }
            layers.append(("flatten", Flatten()))
            let side = (((inputShape.first ?? 28) - 4) / 2 - 4) / 2
            let side2 = (((inputShape.count > 1 ? inputShape[1] : 28) - 4) / 2 - 4) / 2
            layers.append(("fc1", Linear(inputDimensions: side * side2 * 64, outputDimensions: 128)))
            embedding = layers.count - 1
            if p > 0 { layers.append(("drop3", Dropout(probability: p))) }
            layers.append(("fc2", Linear(inputDimensions: 128, outputDimensions: outputs)))
        case .regressionMLP(let p):
            layers.append(("flatten", Flatten()))
            linear(inputs, 128)
            activation()
            dropout(p)
            linear(128, 64)
            activation()
            dropout(p)
            linear(64, 32)
            embedding = layers.count - 1
            dropout(p)
            linear(32, outputs)
        }
        return Network(inputShape: inputShape, layers: layers, embeddingLayer: embedding)
    }
}
