import CKernels

/// The input gradient of a convolution per chunk of images — the column
/// gradients `dY · Wᵀ` (one GEMM), then the adjoint of im2col
/// (`Im2Col.accumulate`), as `Convolution.backward` computes it — and a
/// fused kernel for multi-channel images that gives the same bits.
///
/// For SmallNet's second layer the column gradients are 800 values per
/// output pixel (800 KB per chunk of four images), which OpenBLAS zeroes,
/// writes, and the adjoint reads back. The fused kernel
/// (`alflow_channel_input_gradient`, AVX-512) computes them six output
/// pixels at a time into a buffer that stays in the first-level cache and
/// adds each pixel's into the image gradient in ascending order — the
/// order of `Im2Col.accumulate`, in which each image value receives at most
/// one term per output pixel. Each column gradient is one fused chain over
/// the outputs (64 deep: one block on every OpenBLAS path), and as for the
/// other direct kernels each process checks every shape once, bit for bit,
/// against the GEMM and the adjoint, and keeps them where the two disagree.
extension DirectConvolution {
    /// Whether the fused input gradient gives the GEMM's and the adjoint's bits for this shape here.
    public static func inputGradientApplies(_ g: ConvolutionGeometry, outputs: Int) -> Bool {
        verdict(g, outputs: outputs, kind: .inputGradient) { inputGradientMatchesGEMM(g, outputs: outputs) }
    }

    /// Adds the input gradient of `count` consecutive images into `dx`
    /// (`[count, h, w, c]`), given their output gradient `[count · oh · ow,
    /// outputs]` and the transposed weight `[outputs, patchSize]`: fused
    /// where it applies, otherwise one GEMM into `columns` (room for
    /// `count · oh · ow · patchSize`) and the adjoint of im2col.
    public static func inputGradient(_ gradient: UnsafePointer<Float>, count: Int, _ g: ConvolutionGeometry,
                                     weightT: UnsafePointer<Float>, outputs: Int,
                                     columns: UnsafeMutablePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        if inputGradientApplies(g, outputs: outputs),
           directInputGradient(gradient, count: count, g, weightT: weightT, outputs: outputs, into: dx) { return }
        im2colInputGradient(gradient, count: count, g, weightT: weightT, outputs: outputs, columns: columns, into: dx)
    }

    /// The reference: the column gradients in one GEMM, then `Im2Col.accumulate`.
    public static func im2colInputGradient(_ gradient: UnsafePointer<Float>, count: Int, _ g: ConvolutionGeometry,
                                           weightT: UnsafePointer<Float>, outputs: Int,
                                           columns: UnsafeMutablePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        GEMM.multiply(m: count * g.outputHeight * g.outputWidth, n: g.patchSize, k: outputs, a: gradient, lda: outputs,
                      b: weightT, ldb: g.patchSize, c: columns, ldc: g.patchSize)
        Im2Col.accumulate(columns, into: dx, count: count, g)
    }

    /// The fused kernel with OpenBLAS's depth blocks over the outputs (or `blocks`); false (nothing written) where it cannot run.
    public static func directInputGradient(_ gradient: UnsafePointer<Float>, count: Int, _ g: ConvolutionGeometry,
                                           weightT: UnsafePointer<Float>, outputs: Int, blocks: [Int]? = nil,
                                           into dx: UnsafeMutablePointer<Float>) -> Bool {
        let rows = count * g.outputHeight * g.outputWidth
        guard let plan = blocks ?? productDepthBlocks(outputs, m: rows, n: g.patchSize) else { return false }
        let status = plan.map(Int32.init).withUnsafeBufferPointer { b in
            alflow_channel_input_gradient(gradient, Int32(count), Int32(g.height), Int32(g.width), Int32(g.channels),
                                          Int32(g.kernelHeight), Int32(g.kernelWidth), weightT, Int32(outputs),
                                          b.baseAddress, Int32(b.count), dx)
        }
        return status == 0
    }

    /// Fused and reference input gradients of synthetic output gradients
    /// (zeros, signed zeros, both signs) added onto the same nonzero image
    /// gradients, 1 to `Convolution.samplesPerChunk` images: equal bit for bit?
    static func inputGradientMatchesGEMM(_ g: ConvolutionGeometry, outputs: Int) -> Bool {
        let chunk = Convolution.samplesPerChunk
        let rows = g.outputHeight * g.outputWidth
        let imageSize = g.height * g.width * g.channels
        var random = RandomStream(seed: 0x00c0_ffee, purpose: "direct-input-gradient-check")
        var gradient = (0..<(chunk * rows * outputs)).map { _ in random.nextUniformFloat() * 0.02 - 0.01 }
        for i in gradient.indices where i % 7 == 3 { gradient[i] = i % 14 == 3 ? 0 : -0.0 }
        let weightT = (0..<(outputs * g.patchSize)).map { _ in random.nextUniformFloat() - 0.5 }
        let start = (0..<(chunk * imageSize)).map { _ in random.nextUniformFloat() * 0.002 - 0.001 }
        var columns = [Float](repeating: 0, count: chunk * rows * g.patchSize)
        return gradient.withUnsafeBufferPointer { dy in
            weightT.withUnsafeBufferPointer { w in
                columns.withUnsafeMutableBufferPointer { c in
                    agreesForEveryChunkSize(start: start) { count, dx in
                        im2colInputGradient(dy.baseAddress!, count: count, g, weightT: w.baseAddress!, outputs: outputs,
                                            columns: c.baseAddress!, into: dx)
                    } candidate: { count, dx in
                        directInputGradient(dy.baseAddress!, count: count, g, weightT: w.baseAddress!, outputs: outputs, into: dx)
                    }
                }
            }
        }
    }
}
