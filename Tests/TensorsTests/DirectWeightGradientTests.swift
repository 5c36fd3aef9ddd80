import Tensors
import Testing

/// The direct weight gradient of a single-channel convolution
/// (`DirectConvolution.weightGradient`): its arithmetic, its agreement with
/// im2col + GEMM, and where the check lets it run.
@Suite struct DirectWeightGradientTests {
    static let geometry = ConvolutionGeometry(height: 28, width: 28, channels: 1, kernelHeight: 5, kernelWidth: 5)

    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var random = RandomStream(seed: seed, purpose: "direct-weight-gradient-test")
        return (0..<count).map { i in i % 9 == 0 ? 0 : Float(random.nextNormal()) }
    }

    /// Blocked fused chains, written out plainly.
    static func reference(_ images: [Float], count: Int, _ g: ConvolutionGeometry, _ gradient: [Float], outputs: Int,
                          blocks: [Int]) -> [Float] {
        let (oh, ow, k) = (g.outputHeight, g.outputWidth, g.kernelHeight)
        var out = [Float](repeating: 0, count: k * k * outputs)
        for tap in 0..<(k * k) {
            for o in 0..<outputs {
                var total: Float = 0
                var p = 0
                for (index, length) in blocks.enumerated() {
                    var acc: Float = 0
                    for q in p..<(p + length) {
                        let (sample, pixel) = q.quotientAndRemainder(dividingBy: oh * ow)
                        let (oy, ox) = pixel.quotientAndRemainder(dividingBy: ow)
                        let value = images[(sample * g.height + oy + tap / k) * g.width + ox + tap % k]
                        acc = acc.addingProduct(value, gradient[q * outputs + o])
                    }
                    total = index == 0 ? acc : total + acc
                    p += length
                }
                out[tap * outputs + o] = total
            }
        }
        return out
    }

    static func differences(_ a: [Float], _ b: [Float]) -> Int {
        zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count + abs(a.count - b.count)
    }

    @Test(.enabled(if: DirectConvolution.width > 0, "this CPU has no AVX-512"),
          arguments: [(1, [576]), (3, [448, 448, 416, 416]), (2, [100, 7, 1045]), (4, [2304])])
    func theKernelChainsEachBlockAndAddsTheBlocksInOrder(count: Int, blocks: [Int]) {
        let g = Self.geometry
        let outputs = 48
        let images = Self.values(count * g.height * g.width, seed: 1)
        let gradient = Self.values(count * g.outputHeight * g.outputWidth * outputs, seed: 2)
        var out = [Float](repeating: .nan, count: g.patchSize * outputs)
        let ran = images.withUnsafeBufferPointer { x in
            gradient.withUnsafeBufferPointer { dy in
                out.withUnsafeMutableBufferPointer { o in
                    DirectConvolution.directWeightGradient(x.baseAddress!, count: count, g, gradient: dy.baseAddress!, outputs: outputs,
                                                           blocks: blocks, into: o.baseAddress!)
                }
            }
        }
        #expect(ran)
        let expected = Self.reference(images, count: count, g, gradient, outputs: outputs, blocks: blocks)
        #expect(Self.differences(out, expected) == 0, "blocks \(blocks): values that differ")
    }

    /// Whichever way it runs here, the weight gradient has im2col + GEMM's bits.
    @Test func theWeightGradientHasTheGEMMsBits() {
        let g = Self.geometry
        for outputs in [32, 16] {
            for count in 1...Convolution.samplesPerChunk {
                let rows = count * g.outputHeight * g.outputWidth
                let images = Self.values(count * g.height * g.width, seed: 10 + UInt64(count))
                let gradient = Self.values(rows * outputs, seed: 20 + UInt64(count)).map { $0 * 0.01 }
                var columns = [Float](repeating: 0, count: rows * g.patchSize)
                var viaDirect = [Float](repeating: .nan, count: g.patchSize * outputs)
                var viaGEMM = viaDirect
                images.withUnsafeBufferPointer { x in
                    gradient.withUnsafeBufferPointer { dy in
                        columns.withUnsafeMutableBufferPointer { c in
                            viaDirect.withUnsafeMutableBufferPointer { d in
                                DirectConvolution.weightGradient(of: x.baseAddress!, count: count, g, gradient: dy.baseAddress!, outputs: outputs,
                                                                 columns: c.baseAddress!, into: d.baseAddress!)
                            }
                            viaGEMM.withUnsafeMutableBufferPointer { e in
                                DirectConvolution.im2colWeightGradient(x.baseAddress!, count: count, g, gradient: dy.baseAddress!,
                                                                       outputs: outputs, columns: c.baseAddress!, into: e.baseAddress!)
                            }
                        }
                    }
                }
                #expect(Self.differences(viaDirect, viaGEMM) == 0, "\(outputs) outputs, \(count) images: values that differ")
            }
        }
    }

    /// OpenBLAS's AVX-512 kernels block the depth as the plan says, so the
    /// check passes there; Haswell and Zen sum otherwise and keep the GEMM.
    @Test(.enabled(if: DirectConvolution.width > 0 && DirectConvolutionTests.knownKernel,
                   "no AVX-512 here, or an OpenBLAS kernel of unknown summation"))
    func theCheckPassesExactlyUnderTheKernelsThatBlockThisWay() {
        let expected = DirectConvolutionTests.summingAsTheKernel.contains(BLASRuntime.coreName.lowercased())
        #expect(DirectConvolution.weightGradientApplies(Self.geometry, outputs: 32) == expected, "\(BLASRuntime.coreName)")
    }
}
