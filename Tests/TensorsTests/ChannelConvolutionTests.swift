import Tensors
import Testing

/// The direct convolution of multi-channel images and its weight gradient
/// (`DirectConvolution+Channels.swift`, `alflow_channel_*`): their blocked
/// arithmetic, their agreement with im2col + GEMM, and where the check lets them run.
@Suite struct ChannelConvolutionTests {
    /// SmallNet's second layer.
    static let smallNet = ConvolutionGeometry(height: 12, width: 12, channels: 32, kernelHeight: 5, kernelWidth: 5)

    /// Geometries with partial register tiles (rows, patch positions, 48
    /// outputs = three vectors), a non-square kernel and one deep enough to
    /// be cut into depth blocks on both sides.
    static let shapes: [(geometry: ConvolutionGeometry, outputs: Int)] = [
        (smallNet, 64),
        (ConvolutionGeometry(height: 9, width: 7, channels: 3, kernelHeight: 3, kernelWidth: 2), 48),
        (ConvolutionGeometry(height: 6, width: 6, channels: 2, kernelHeight: 3, kernelWidth: 3), 16),
        (ConvolutionGeometry(height: 24, width: 24, channels: 8, kernelHeight: 5, kernelWidth: 5), 80),
    ]

    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var random = RandomStream(seed: seed, purpose: "channel-convolution-test")
        return (0..<count).map { i in i % 9 == 0 ? (i % 18 == 0 ? 0 : -0.0) : Float(random.nextNormal()) }
    }

    static func imageValue(_ images: [Float], _ g: ConvolutionGeometry, row: Int, tap: Int) -> Float {
        let (sample, pixel) = row.quotientAndRemainder(dividingBy: g.outputHeight * g.outputWidth)
        let (oy, ox) = pixel.quotientAndRemainder(dividingBy: g.outputWidth)
        let (position, c) = tap.quotientAndRemainder(dividingBy: g.channels)
        let (ky, kx) = position.quotientAndRemainder(dividingBy: g.kernelWidth)
        return images[((sample * g.height + oy + ky) * g.width + ox + kx) * g.channels + c]
    }

    /// Σ over `blocks` of fused chains from +0, the block sums added in order.
    static func blocked(_ blocks: [Int], _ term: (Int) -> (Float, Float)) -> Float {
        var total: Float = 0
        var start = 0
        for (index, length) in blocks.enumerated() {
            var acc: Float = 0
            for i in start..<(start + length) {
                let (a, b) = term(i)
                acc = acc.addingProduct(a, b)
            }
            total = index == 0 ? acc : total + acc
            start += length
        }
        return total
    }

    /// `depth` cut into as many blocks as `cuts` has, in those proportions (empty ones dropped).
    static func blocks(of depth: Int, _ cuts: [Int]) -> [Int] {
        let total = cuts.reduce(0, +)
        var blocks = cuts.dropLast().map { depth * $0 / total }
        blocks.append(depth - blocks.reduce(0, +))
        return blocks.filter { $0 > 0 }
    }

    static func differences(_ a: [Float], _ b: [Float]) -> Int {
        zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count + abs(a.count - b.count)
    }

    static let hasAVX512 = DirectConvolution.width == 16

    @Test(.enabled(if: hasAVX512, "this CPU has no AVX-512"), arguments: [[1], [1, 1], [3, 5, 1]])
    func theForwardKernelChainsEachDepthBlock(cuts: [Int]) {
        for (g, outputs) in Self.shapes {
            let blocks = Self.blocks(of: g.patchSize, cuts)
            let count = 3
            let rows = count * g.outputHeight * g.outputWidth
            let images = Self.values(count * g.height * g.width * g.channels, seed: 1)
            let weight = Self.values(g.patchSize * outputs, seed: 2)
            var out = [Float](repeating: .nan, count: rows * outputs)
            let ran = images.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { o in
                        DirectConvolution.channelProduct(x.baseAddress!, count: count, g, weight: w.baseAddress!, outputs: outputs,
                                                         blocks: blocks, into: o.baseAddress!)
                    }
                }
            }
            #expect(ran)
            var expected = [Float]()
            for r in 0..<rows {
                for o in 0..<outputs {
                    expected.append(Self.blocked(blocks) { k in (Self.imageValue(images, g, row: r, tap: k), weight[k * outputs + o]) })
                }
            }
            #expect(Self.differences(out, expected) == 0, "\(g), \(outputs) outputs, blocks \(blocks)")
        }
    }

    @Test(.enabled(if: hasAVX512, "this CPU has no AVX-512"), arguments: [[1], [1, 1], [2, 7, 3]])
    func theGradientKernelChainsEachDepthBlock(cuts: [Int]) {
        for (g, outputs) in Self.shapes {
            let count = 2
            let rows = count * g.outputHeight * g.outputWidth
            let blocks = Self.blocks(of: rows, cuts)
            let images = Self.values(count * g.height * g.width * g.channels, seed: 3)
            let gradient = Self.values(rows * outputs, seed: 4)
            var out = [Float](repeating: .nan, count: g.patchSize * outputs)
            let ran = images.withUnsafeBufferPointer { x in
                gradient.withUnsafeBufferPointer { dy in
                    out.withUnsafeMutableBufferPointer { o in
                        DirectConvolution.directWeightGradient(x.baseAddress!, count: count, g, gradient: dy.baseAddress!,
                                                               outputs: outputs, blocks: blocks, into: o.baseAddress!)
                    }
                }
            }
            #expect(ran)
            var expected = [Float]()
            for t in 0..<g.patchSize {
                for o in 0..<outputs {
                    expected.append(Self.blocked(blocks) { r in (Self.imageValue(images, g, row: r, tap: t), gradient[r * outputs + o]) })
                }
            }
            #expect(Self.differences(out, expected) == 0, "\(g), \(outputs) outputs, blocks \(blocks)")
        }
    }

    /// Whichever way they run here, the product and the weight gradient
    /// have im2col + GEMM's bits, for every chunk size — computed as one
    /// block, as `Convolution` computes each chunk inside its parallel loop
    /// (a GEMM called from outside one splits its rows, and OpenBLAS may
    /// take another path for a block of a few rows).
    @Test func productsAndGradientsHaveTheGEMMsBits() {
        for (g, outputs) in Self.shapes {
            let pixels = g.outputHeight * g.outputWidth
            for count in 1...Convolution.samplesPerChunk {
                let images = Self.values(count * g.height * g.width * g.channels, seed: 10 + UInt64(count))
                let weight = Self.values(g.patchSize * outputs, seed: 20)
                let gradient = Self.values(count * pixels * outputs, seed: 30)
                var columns = [Float](repeating: 0, count: count * pixels * g.patchSize)
                var product = [Float](repeating: .nan, count: count * pixels * outputs), productGEMM = product
                var weightGradient = [Float](repeating: .nan, count: g.patchSize * outputs), weightGradientGEMM = weightGradient
                Parallel.asOneBlock {
                    images.withUnsafeBufferPointer { x in
                        weight.withUnsafeBufferPointer { w in
                            gradient.withUnsafeBufferPointer { dy in
                                columns.withUnsafeMutableBufferPointer { c in
                                    let (x, w, dy, c) = (x.baseAddress!, w.baseAddress!, dy.baseAddress!, c.baseAddress!)
                                    product.withUnsafeMutableBufferPointer {
                                        DirectConvolution.product(of: x, count: count, g, weight: w, outputs: outputs, columns: c, into: $0.baseAddress!)
                                    }
                                    productGEMM.withUnsafeMutableBufferPointer {
                                        DirectConvolution.im2colProduct(x, count: count, g, weight: w, outputs: outputs, columns: c, into: $0.baseAddress!)
                                    }
                                    weightGradient.withUnsafeMutableBufferPointer {
                                        DirectConvolution.weightGradient(of: x, count: count, g, gradient: dy, outputs: outputs, columns: c,
                                                                         into: $0.baseAddress!)
                                    }
                                    weightGradientGEMM.withUnsafeMutableBufferPointer {
                                        DirectConvolution.im2colWeightGradient(x, count: count, g, gradient: dy, outputs: outputs, columns: c,
                                                                               into: $0.baseAddress!)
                                    }
                                }
                            }
                        }
                    }
                }
                #expect(Self.differences(product, productGEMM) == 0, "\(g), \(count) images: product values that differ")
                #expect(Self.differences(weightGradient, weightGradientGEMM) == 0, "\(g), \(count) images: gradient values that differ")
            }
        }
    }

    /// One chain over SmallNet's whole 800-deep patch is not what the GEMM
    /// computes under the AVX-512 kernels (they cut it into blocks): the
    /// check refuses it, and accepts the kernel with the right blocks.
    @Test(.enabled(if: hasAVX512 && DirectConvolutionTests.knownKernel, "no AVX-512, or an OpenBLAS kernel of unknown summation"))
    func theCheckTellsTheDepthBlocksApart() {
        let (g, outputs) = (Self.smallNet, 64)
        let unblocked: DirectConvolution.Product = { x, count, w, out in
            DirectConvolution.channelProduct(x, count: count, g, weight: w, outputs: outputs, blocks: [g.patchSize], into: out)
        }
        #expect(!DirectConvolution.matchesGEMM(g, outputs: outputs, candidate: unblocked))
        let blocked = DirectConvolutionTests.summingAsTheKernel.contains(BLASRuntime.coreName.lowercased())
        #expect(DirectConvolution.matchesGEMM(g, outputs: outputs) == blocked, "\(BLASRuntime.coreName)")
    }

    /// Under SkylakeX and Cooperlake SmallNet's second layer must take both
    /// kernels (else the fast path is silently lost); under Haswell and Zen neither.
    @Test(.enabled(if: hasAVX512 && DirectConvolutionTests.knownKernel, "no AVX-512, or an OpenBLAS kernel of unknown summation"))
    func smallNetsSecondLayerRunsDirectExactlyUnderTheKernelsThatSumThisWay() {
        let expected = DirectConvolutionTests.summingAsTheKernel.contains(BLASRuntime.coreName.lowercased())
        #expect(DirectConvolution.applies(Self.smallNet, outputs: 64) == expected, "\(BLASRuntime.coreName)")
        #expect(DirectConvolution.weightGradientApplies(Self.smallNet, outputs: 64) == expected, "\(BLASRuntime.coreName)")
        #expect(DirectConvolution.inputGradientApplies(Self.smallNet, outputs: 64) == expected, "\(BLASRuntime.coreName)")
    }
}
