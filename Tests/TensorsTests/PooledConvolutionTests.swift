import Tensors
import Testing

/// The fused conv → pool (→ ReLU) inference kernel against its reference:
/// the unfused kernels run one after the other. They must agree to the bit.
@Suite struct PooledConvolutionTests {
    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var random = RandomStream(seed: seed, purpose: "pooled-conv-test")
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(random.nextNormal()) })
    }

    static func reference(_ x: Tensor, samples: Range<Int>, weight: Tensor, bias: Tensor, _ g: ConvolutionGeometry,
                          window: Int, rectify: Bool) -> Tensor {
        var y = MaxPooling.forward(Convolution.forward(x, samples: samples, weight: weight, bias: bias, g), window: window)
        if rectify { y.rectifyInPlace() }
        return y
    }

    /// SmallNet's two blocks (28×28×1 → 32, 12×12×32 → 64), a single-channel
    /// one with no ReLU, and a general one on odd shapes.
    @Test(arguments: [(1, 32, 28, true), (32, 64, 12, true), (1, 7, 11, false), (3, 5, 14, false)])
    func fusedKernelMatchesTheLayersBitForBit(channels: Int, outputs: Int, side: Int, rectify: Bool) {
        let (n, k) = (11, 5)
        let g = ConvolutionGeometry(height: side, width: side, channels: channels, kernelHeight: k, kernelWidth: k)
        let x = Self.random([n, side, side, channels], seed: 1)
        let weight = Self.random([k * k * channels, outputs], seed: 2)
        let bias = Self.random([outputs], seed: 3)
        for samples in [0..<n, 3..<10] {
            let fused = PooledConvolution.forward(x, samples: samples, weight: weight, bias: bias, g, window: 2, rectify: rectify)
            let expected = Self.reference(x, samples: samples, weight: weight, bias: bias, g, window: 2, rectify: rectify)
            #expect(fused.shape == expected.shape)
            #expect(fused.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern))
        }
    }

    /// Odd convolution outputs (pooling drops the last row and column) and one worker.
    @Test func oddSizesAndOneWorker() {
        let g = ConvolutionGeometry(height: 10, width: 9, channels: 2, kernelHeight: 3, kernelWidth: 3)
        let x = Self.random([6, 10, 9, 2], seed: 4)
        let weight = Self.random([18, 7], seed: 5)
        let bias = Self.random([7], seed: 6)
        let expected = Self.reference(x, samples: 0..<6, weight: weight, bias: bias, g, window: 2, rectify: true)
        let fused = Parallel.withWorkers(1) {
            PooledConvolution.forward(x, samples: 0..<6, weight: weight, bias: bias, g, window: 2, rectify: true)
        }
        #expect(fused.shape == [6, 4, 3, 7])
        #expect(fused.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern))
    }
}
