import Tensors
import Testing

/// The fused input gradient of a multi-channel convolution
/// (`DirectConvolution+InputGradient.swift`, `alflow_channel_input_gradient`):
/// its arithmetic and order of additions, and its agreement with the GEMM
/// and the adjoint of im2col.
@Suite struct ChannelInputGradientTests {
    /// Patches of whole vectors (800 = 12½ × 64, 144 = 2 × 64 + 16, 48 =
    /// three vectors), depths of 64, 20 and 33 outputs, square and not.
    static let shapes: [(geometry: ConvolutionGeometry, outputs: Int)] = [
        (ChannelConvolutionTests.smallNet, 64),
        (ConvolutionGeometry(height: 10, width: 9, channels: 16, kernelHeight: 3, kernelWidth: 3), 20),
        (ConvolutionGeometry(height: 7, width: 7, channels: 8, kernelHeight: 2, kernelWidth: 3), 33),
    ]

    /// Column gradients as blocked fused chains over the outputs, added into
    /// `start` output pixel by output pixel in ascending order.
    static func reference(_ gradient: [Float], count: Int, _ g: ConvolutionGeometry, _ weightT: [Float], outputs: Int,
                          blocks: [Int], onto start: [Float]) -> [Float] {
        var dx = start
        let (oh, ow, c) = (g.outputHeight, g.outputWidth, g.channels)
        for r in 0..<(count * oh * ow) {
            let (sample, pixel) = r.quotientAndRemainder(dividingBy: oh * ow)
            let (oy, ox) = pixel.quotientAndRemainder(dividingBy: ow)
            for k in 0..<g.patchSize {
                let value = ChannelConvolutionTests.blocked(blocks) { o in (gradient[r * outputs + o], weightT[o * g.patchSize + k]) }
                let (position, channel) = k.quotientAndRemainder(dividingBy: c)
                let (ky, kx) = position.quotientAndRemainder(dividingBy: g.kernelWidth)
                dx[((sample * g.height + oy + ky) * g.width + ox + kx) * c + channel] += value
            }
        }
        return dx
    }

    @Test(.enabled(if: ChannelConvolutionTests.hasAVX512, "this CPU has no AVX-512"), arguments: [[1], [1, 1], [2, 1, 3]])
    func theKernelChainsEachBlockAndAddsPixelByPixel(cuts: [Int]) {
        for (g, outputs) in Self.shapes {
            let blocks = ChannelConvolutionTests.blocks(of: outputs, cuts)
            let count = 2
            let rows = count * g.outputHeight * g.outputWidth
            let gradient = ChannelConvolutionTests.values(rows * outputs, seed: 5)
            let weightT = ChannelConvolutionTests.values(outputs * g.patchSize, seed: 6)
            // A nonzero start makes the order of the additions visible.
            let start = ChannelConvolutionTests.values(count * g.height * g.width * g.channels, seed: 7).map { $0 * 1e-3 }
            var dx = start
            let ran = gradient.withUnsafeBufferPointer { dy in
                weightT.withUnsafeBufferPointer { w in
                    dx.withUnsafeMutableBufferPointer { d in
                        DirectConvolution.directInputGradient(dy.baseAddress!, count: count, g, weightT: w.baseAddress!, outputs: outputs,
                                                              blocks: blocks, into: d.baseAddress!)
                    }
                }
            }
            #expect(ran)
            let expected = Self.reference(gradient, count: count, g, weightT, outputs: outputs, blocks: blocks, onto: start)
            #expect(ChannelConvolutionTests.differences(dx, expected) == 0, "\(g), \(outputs) outputs, blocks \(blocks)")
        }
    }

    /// Whichever way it runs here, the input gradient has the GEMM's and the
    /// adjoint's bits, for every chunk size (each chunk computed as one block, as `Convolution` does).
    @Test func theInputGradientHasTheGEMMsBits() {
        for (g, outputs) in Self.shapes + [(ConvolutionGeometry(height: 9, width: 7, channels: 3, kernelHeight: 3, kernelWidth: 2), 48)] {
            let rows = g.outputHeight * g.outputWidth
            for count in 1...Convolution.samplesPerChunk {
                let gradient = ChannelConvolutionTests.values(count * rows * outputs, seed: 40 + UInt64(count))
                let weightT = ChannelConvolutionTests.values(outputs * g.patchSize, seed: 50)
                var columns = [Float](repeating: 0, count: count * rows * g.patchSize)
                var viaKernel = [Float](repeating: 0, count: count * g.height * g.width * g.channels), viaGEMM = viaKernel
                Parallel.asOneBlock {
                    gradient.withUnsafeBufferPointer { dy in
                        weightT.withUnsafeBufferPointer { w in
                            columns.withUnsafeMutableBufferPointer { c in
                                viaKernel.withUnsafeMutableBufferPointer {
                                    DirectConvolution.inputGradient(dy.baseAddress!, count: count, g, weightT: w.baseAddress!, outputs: outputs,
                                                                    columns: c.baseAddress!, into: $0.baseAddress!)
                                }
                                viaGEMM.withUnsafeMutableBufferPointer {
                                    DirectConvolution.im2colInputGradient(dy.baseAddress!, count: count, g, weightT: w.baseAddress!,
                                                                          outputs: outputs, columns: c.baseAddress!, into: $0.baseAddress!)
                                }
                            }
                        }
                    }
                }
                #expect(ChannelConvolutionTests.differences(viaKernel, viaGEMM) == 0, "\(g), \(count) images: values that differ")
            }
        }
    }

    /// Patches that are not whole vectors, one channel, strides and padding keep the GEMM.
    @Test func unsupportedShapesKeepTheGEMM() {
        #expect(!DirectConvolution.inputGradientApplies(ConvolutionGeometry(height: 9, width: 7, channels: 3, kernelHeight: 3, kernelWidth: 2),
                                                        outputs: 48))
        #expect(!DirectConvolution.inputGradientApplies(ConvolutionGeometry(height: 28, width: 28, channels: 1, kernelHeight: 4, kernelWidth: 4),
                                                        outputs: 32))
        #expect(!DirectConvolution.inputGradientApplies(ConvolutionGeometry(height: 12, width: 12, channels: 32, kernelHeight: 5,
                                                                            kernelWidth: 5, stride: 2), outputs: 64))
        #expect(!DirectConvolution.inputGradientApplies(ConvolutionGeometry(height: 12, width: 12, channels: 32, kernelHeight: 5,
                                                                            kernelWidth: 5, padding: 2), outputs: 64))
    }
}
