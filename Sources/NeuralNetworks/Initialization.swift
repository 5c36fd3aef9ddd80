import Tensors

/// PyTorch's default initialisation for `Linear` and `Conv2d`:
/// weights Kaiming-uniform with a = √5, i.e. U(−b, b) with
/// b = gain · √(3 / fan_in), gain = √(2 / (1 + a²)) = √(1/3), so b = 1/√fan_in;
/// biases U(−1/√fan_in, 1/√fan_in).
public enum Initialization {
    public static func kaimingUniform(shape: [Int], fanIn: Int, _ random: inout RandomStream) -> Tensor {
        let bound = 1 / Double(fanIn).squareRoot()
        return uniform(shape: shape, bound: bound, &random)
    }

    public static func uniform(shape: [Int], bound: Double, _ random: inout RandomStream) -> Tensor {
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = Float(random.nextUniform(in: -bound, bound)) }
        return Tensor(shape: shape, scalars: values)
    }
}
