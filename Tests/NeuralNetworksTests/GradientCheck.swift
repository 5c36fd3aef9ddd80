import NeuralNetworks
import Tensors
import Testing

/// Finite-difference checks. For a random projection f = Σ R ⊙ output and a
/// random direction (dX, dθ), the central difference
/// (f(x + εdX, θ + εdθ) − f(x − εdX, θ − εdθ)) / 2ε must equal the analytic
/// ⟨∇ₓf, dX⟩ + ⟨∇_θ f, dθ⟩. A wrong gradient component shows up with
/// overwhelming probability for random directions.
enum GradientCheck {
    static func randomTensor(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor {
        var random = RandomStream(seed: seed, purpose: "gradient-check")
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(scale * random.nextNormal()) })
    }

    static func dot(_ a: Tensor, _ b: Tensor) -> Double {
        zip(a.scalars, b.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    static func shifted(_ t: Tensor, _ d: Tensor, _ epsilon: Float) -> Tensor {
        Tensor(shape: t.shape, scalars: zip(t.scalars, d.scalars).map { $0 + epsilon * $1 })
    }

    /// Checks one layer; returns the relative error.
    static func layer(_ layer: any Layer, input: Tensor, seed: UInt64 = 1, epsilon: Float = 1e-2,
                      sourceLocation: SourceLocation = #_sourceLocation) -> Double {
        var random = RandomStream(seed: seed, purpose: "init")
        let parameters = layer.initialParameters(&random)
        func forward(_ x: Tensor, _ p: [Tensor]) -> (Tensor, LayerCache) {
            var context = ForwardContext(mode: .training, random: RandomStream(seed: 99, stream: 1))
            return layer.forward(x, parameters: p[...], context: &context)
        }
        let (output, cache) = forward(input, parameters)
        let projection = randomTensor(output.shape, seed: seed + 1)
        let (dInput, dParameters) = layer.backward(projection, cache: cache, parameters: parameters[...], needsInputGradient: true)
        let directionX = randomTensor(input.shape, seed: seed + 2)
        let directionP = parameters.enumerated().map { randomTensor($1.shape, seed: seed + 3 + UInt64($0)) }
        var analytic = dInput.map { dot($0, directionX) } ?? 0
        for (g, d) in zip(dParameters, directionP) { analytic += dot(g, d) }
        let plus = forward(shifted(input, directionX, epsilon), zip(parameters, directionP).map { shifted($0, $1, epsilon) }).0
        let minus = forward(shifted(input, directionX, -epsilon), zip(parameters, directionP).map { shifted($0, $1, -epsilon) }).0
        let numeric = (dot(plus, projection) - dot(minus, projection)) / Double(2 * epsilon)
        return abs(numeric - analytic) / max(1e-3, abs(numeric) + abs(analytic))
    }
}
