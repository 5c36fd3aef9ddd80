import Tensors
import Testing

/// The direct single-channel convolution (`DirectConvolution`): its
/// arithmetic, its agreement with im2col + GEMM, and the check that decides
/// whether it may stand in for the GEMM.
@Suite struct DirectConvolutionTests {
    static func values(_ count: Int, seed: UInt64, zeros: Bool = false) -> [Float] {
        var random = RandomStream(seed: seed, purpose: "direct-convolution-test")
        return (0..<count).map { i in zeros && i % 7 == 0 ? 0 : Float(random.nextNormal()) }
    }

    /// Geometries with whole and partial pixel blocks (output widths 24, 9,
    /// 7) and channel counts of one, two and sixty 16-lane groups.
    static let shapes: [(height: Int, width: Int, kernel: Int, outputs: Int)] = [
        (28, 28, 5, 32), (13, 11, 5, 48), (12, 9, 3, 16), (16, 16, 5, 960),
    ]

    /// How many values differ in their bits (a count, not two long arrays, when it fails).
    static func differences(_ a: [Float], _ b: [Float]) -> Int {
        a.count == b.count ? zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count : max(a.count, b.count)
    }

    /// A plain fused multiply-add chain per output, from +0, patch order.
    static func fusedChain(_ images: [Float], count: Int, _ g: ConvolutionGeometry, _ weight: [Float], outputs: Int) -> [Float] {
        var out = [Float]()
        for sample in 0..<count {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for o in 0..<outputs {
                        var acc: Float = 0
                        for ky in 0..<g.kernelHeight {
                            for kx in 0..<g.kernelWidth {
                                let pixel = images[(sample * g.height + oy + ky) * g.width + ox + kx]
                                acc = acc.addingProduct(pixel, weight[(ky * g.kernelWidth + kx) * outputs + o])
                            }
                        }
                        out.append(acc)
                    }
                }
            }
        }
        return out
    }

    @Test(.enabled(if: DirectConvolution.width > 0, "this CPU has no AVX-512"))
    func theKernelComputesOneFusedChainPerOutput() {
        for (h, w, k, outputs) in Self.shapes {
            let g = ConvolutionGeometry(height: h, width: w, channels: 1, kernelHeight: k, kernelWidth: k)
            let count = 3
            let images = Self.values(count * h * w, seed: 1, zeros: true)
            let weight = Self.values(k * k * outputs, seed: 2)
            var out = [Float](repeating: .nan, count: count * g.outputHeight * g.outputWidth * outputs)
            let ran = images.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { wt in
                    out.withUnsafeMutableBufferPointer { o in
                        DirectConvolution.direct(x.baseAddress!, count: count, g, weight: wt.baseAddress!, outputs: outputs, into: o.baseAddress!)
                    }
                }
            }
            #expect(ran)
            let expected = Self.fusedChain(images, count: count, g, weight, outputs: outputs)
            #expect(Self.differences(out, expected) == 0, "\(h)×\(w), kernel \(k), \(outputs) outputs: values that differ")
        }
    }

    /// Whichever way `product` runs here, its bits are im2col + GEMM's, for
    /// every chunk size, on data unlike the check's own.
    @Test func theProductHasTheGEMMsBits() {
        for (h, w, k, outputs) in Self.shapes {
            let g = ConvolutionGeometry(height: h, width: w, channels: 1, kernelHeight: k, kernelWidth: k)
            let rows = g.outputHeight * g.outputWidth
            for count in 1...Convolution.samplesPerChunk {
                let images = Self.values(count * h * w, seed: 10 + UInt64(count), zeros: true)
                let weight = Self.values(k * k * outputs, seed: 20)
                var columns = [Float](repeating: 0, count: count * rows * g.patchSize)
                var viaProduct = [Float](repeating: .nan, count: count * rows * outputs)
                var viaGEMM = viaProduct
                images.withUnsafeBufferPointer { x in
                    weight.withUnsafeBufferPointer { wt in
                        columns.withUnsafeMutableBufferPointer { c in
                            viaProduct.withUnsafeMutableBufferPointer { p in
                                DirectConvolution.product(of: x.baseAddress!, count: count, g, weight: wt.baseAddress!, outputs: outputs,
                                                          columns: c.baseAddress!, into: p.baseAddress!)
                            }
                            viaGEMM.withUnsafeMutableBufferPointer { e in
                                DirectConvolution.im2colProduct(x.baseAddress!, count: count, g, weight: wt.baseAddress!, outputs: outputs,
                                                                columns: c.baseAddress!, into: e.baseAddress!)
                            }
                        }
                    }
                }
                #expect(Self.differences(viaProduct, viaGEMM) == 0, "\(h)×\(w), \(outputs) outputs, \(count) images: values that differ")
            }
        }
    }

    /// The check is strict enough to refuse sums in another order or with
    /// separate roundings, and accepts what the GEMM itself computes.
    @Test func theCheckRefusesOtherSummations() {
        let g = ConvolutionGeometry(height: 28, width: 28, channels: 1, kernelHeight: 5, kernelWidth: 5)
        let outputs = 32
        func chain(reversed: Bool, fused: Bool) -> DirectConvolution.Product {
            { images, count, weight, out in
                var index = 0
                for sample in 0..<count {
                    for oy in 0..<g.outputHeight {
                        for ox in 0..<g.outputWidth {
                            for o in 0..<outputs {
                                var acc: Float = 0
                                let taps = Array(0..<g.patchSize)
                                for k in reversed ? taps.reversed() : taps {
                                    let pixel = images[(sample * g.height + oy + k / 5) * g.width + ox + k % 5]
                                    acc = fused ? acc.addingProduct(pixel, weight[k * outputs + o]) : acc + pixel * weight[k * outputs + o]
                                }
                                out[index] = acc
                                index += 1
                            }
                        }
                    }
                }
                return true
            }
        }
        let gemm: DirectConvolution.Product = { images, count, weight, out in
            let rows = count * g.outputHeight * g.outputWidth
            let columns = UnsafeMutablePointer<Float>.allocate(capacity: rows * g.patchSize)
            defer { columns.deallocate() }
            DirectConvolution.im2colProduct(images, count: count, g, weight: weight, outputs: outputs, columns: columns, into: out)
            return true
        }
        #expect(DirectConvolution.matchesGEMM(g, outputs: outputs, candidate: gemm))
        #expect(!DirectConvolution.matchesGEMM(g, outputs: outputs, candidate: chain(reversed: true, fused: true)))
        // Fused and separate roundings cannot both be what the GEMM does.
        let fused = DirectConvolution.matchesGEMM(g, outputs: outputs, candidate: chain(reversed: false, fused: true))
        let separate = DirectConvolution.matchesGEMM(g, outputs: outputs, candidate: chain(reversed: false, fused: false))
        #expect(!(fused && separate))
        // The direct kernel is used exactly where the check passes.
        #expect(DirectConvolution.applies(g, outputs: outputs) == (DirectConvolution.width > 0 && DirectConvolution.matchesGEMM(g, outputs: outputs)))
    }

    /// The OpenBLAS kernels whose summation is known here: the AVX-512 ones
    /// sum as the direct kernel does, Haswell and Zen otherwise.
    static let summingAsTheKernel: Set<String> = ["skylakex", "cooperlake"]
    static let summingOtherwise: Set<String> = ["haswell", "zen"]
    static var knownKernel: Bool {
        let core = BLASRuntime.coreName.lowercased()
        return summingAsTheKernel.contains(core) || summingOtherwise.contains(core)
    }

    /// Where the kernel is expected to pay, the check must pass (else the
    /// fast path is silently lost); under Haswell and Zen it must fail.
    /// Which applies depends on the kernel this process runs with
    /// (`OPENBLAS_CORETYPE=Haswell swift test …` covers the other side).
    @Test(.enabled(if: DirectConvolution.width > 0 && knownKernel, "no AVX-512 here, or an OpenBLAS kernel of unknown summation"))
    func theCheckPassesExactlyUnderTheKernelsThatSumThisWay() {
        let g = ConvolutionGeometry(height: 28, width: 28, channels: 1, kernelHeight: 5, kernelWidth: 5)
        let expected = Self.summingAsTheKernel.contains(BLASRuntime.coreName.lowercased())
        #expect(DirectConvolution.applies(g, outputs: 32) == expected, "\(BLASRuntime.coreName)")
        #expect(DirectConvolution.applies(g, outputs: 960) == expected, "\(BLASRuntime.coreName)")
    }
}
