import Tensors
import Testing

/// The AVX-512 pooling kernels of the fused conv → pool → ReLU blocks
/// (`alflow_pool_bias`, `alflow_pool_routes`, `alflow_unpool`) against the
/// Swift loops they stand in for, on values that tell selects apart: ties,
/// both signed zeros, negatives, infinities and NaNs, with channel counts
/// that leave partial vectors and windows that do not tile the image.
@Suite struct PoolingKernelTests {
    /// Values from a small set, so that windows hold ties of every kind.
    static func adversarial(_ count: Int, seed: UInt64) -> [Float] {
        let palette: [Float] = [0, -0.0, 1, -1, 0.5, 2, -2, .infinity, -.infinity, .nan, 3, 0.25]
        var random = RandomStream(seed: seed, purpose: "pooling-kernel-test")
        return (0..<count).map { _ in palette[Int(random.nextUInt32() % UInt32(palette.count))] }
    }

    static let shapes: [(height: Int, width: Int, channels: Int, window: Int)] = [
        (8, 8, 64, 2), (24, 24, 32, 2), (7, 9, 5, 2), (9, 9, 17, 3), (6, 6, 16, 1),
    ]

    static let hasAVX512 = DirectConvolution.width == 16

    /// How many values differ in their bits (a count, not two long arrays, when it fails).
    static func differences(_ a: [Float], _ b: [Float]) -> Int { ChannelConvolutionTests.differences(a, b) }

    @Test(.enabled(if: hasAVX512, "this CPU has no AVX-512"))
    func inferencePoolingHasTheLoopsBits() {
        for (index, (h, w, c, k)) in Self.shapes.enumerated() {
            let image = Self.adversarial(h * w * c, seed: UInt64(index))
            let bias = Self.adversarial(c, seed: 100 + UInt64(index))
            for rectify in [false, true] {
                var kernel = [Float](repeating: .nan, count: (h / k) * (w / k) * c), loops = kernel
                image.withUnsafeBufferPointer { x in
                    bias.withUnsafeBufferPointer { b in
                        kernel.withUnsafeMutableBufferPointer {
                            PooledConvolution.pool(x.baseAddress!, height: h, width: w, channels: c, window: k, bias: b.baseAddress!,
                                                   rectify: rectify, into: $0.baseAddress!)
                        }
                        loops.withUnsafeMutableBufferPointer {
                            PooledConvolution.pool(x.baseAddress!, height: h, width: w, channels: c, window: k, bias: b.baseAddress!,
                                                   rectify: rectify, into: $0.baseAddress!, loops: true)
                        }
                    }
                }
                #expect(Self.differences(kernel, loops) == 0, "\(h)×\(w)×\(c), window \(k), rectify \(rectify)")
            }
        }
    }

    @Test(.enabled(if: hasAVX512, "this CPU has no AVX-512"))
    func trainingPoolingAndItsGradientHaveTheLoopsBits() {
        for (index, (h, w, c, k)) in Self.shapes.enumerated() {
            let image = Self.adversarial(h * w * c, seed: 200 + UInt64(index))
            let pooledCount = (h / k) * (w / k) * c
            var kernel = [Float](repeating: .nan, count: pooledCount), loops = kernel
            var kernelRoutes = [UInt8](repeating: 7, count: pooledCount), loopsRoutes = kernelRoutes
            image.withUnsafeBufferPointer { x in
                PooledConvolution.poolRouted(x.baseAddress!, height: h, width: w, channels: c, window: k,
                                             into: &kernel, routes: &kernelRoutes)
                PooledConvolution.poolRouted(x.baseAddress!, height: h, width: w, channels: c, window: k,
                                             into: &loops, routes: &loopsRoutes, loops: true)
            }
            #expect(Self.differences(kernel, loops) == 0, "\(h)×\(w)×\(c), window \(k)")
            #expect(zip(kernelRoutes, loopsRoutes).filter { $0 != $1 }.count == 0, "\(h)×\(w)×\(c), window \(k): routes")
            #expect(Set(loopsRoutes).count > min(k * k, 2), "routes of several kinds, blocked included")

            let gradient = Self.adversarial(pooledCount, seed: 300 + UInt64(index))
            var kernelGradient = [Float](repeating: .nan, count: h * w * c), loopsGradient = kernelGradient
            gradient.withUnsafeBufferPointer { g in
                PooledConvolution.unpool(g.baseAddress!, routes: loopsRoutes, height: h, width: w, channels: c, window: k,
                                         into: &kernelGradient)
                PooledConvolution.unpool(g.baseAddress!, routes: loopsRoutes, height: h, width: w, channels: c, window: k,
                                         into: &loopsGradient, loops: true)
            }
            #expect(Self.differences(kernelGradient, loopsGradient) == 0, "\(h)×\(w)×\(c), window \(k): gradient")
        }
    }
}
