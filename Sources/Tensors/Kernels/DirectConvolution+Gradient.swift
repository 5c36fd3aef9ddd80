import CKernels

/// The weight gradient of a convolution per chunk of images — `colsᵀ · dY`,
/// which `Convolution.backward` computes with im2col and one GEMM — and a
/// direct kernel for single-channel images that gives the same bits.
///
/// For SmallNet's first layer that product is 25 × 32 outputs deep over
/// 576 pixels per image, and OpenBLAS packs both operands for it. The direct
/// kernel (`CKernels`) reads the images in place. OpenBLAS's AVX-512 kernels
/// sum such a product as one fused multiply-add chain per output on their
/// small-matrix path (M·N·K ≤ 10⁶, a transposed A with M·N ≤ 1,200), and
/// otherwise cut its depth into blocks of their `GEMM_Q` (448 for SkylakeX,
/// 320 for Cooperlake; a remainder between Q and 2Q halved, rounded up to a
/// multiple of 16), chain within a block and add the block sums in order
/// (measured against `cblas_sgemm`). The kernel follows that plan; as for the
/// forward product, each process checks every shape once, bit for bit, for
/// 1 to 4 images, and keeps the GEMM where the two disagree (other kernels).
extension DirectConvolution {
    /// Depth block of the regular sgemm path, by OpenBLAS kernel.
    static let depthBlock: [String: Int] = ["skylakex": 448, "cooperlake": 320]

    /// That of the kernel this process runs (nil: not known).
    static let depthBlockHere = depthBlock[BLASRuntime.coreName.lowercased()]

    /// How OpenBLAS cuts the depth of an `m × n` product `depth` deep with a
    /// transposed A, on the kernel this process runs; nil where not known.
    static func depthBlocks(_ depth: Int, m: Int, n: Int) -> [Int]? {
        if Double(m) * Double(n) * Double(depth) <= 1e6, m * n <= 1200 { return [depth] }
        return regularDepthBlocks(depth)
    }

    /// OpenBLAS's cut of a product's depth on its regular (packed) path:
    /// blocks of `GEMM_Q`, a remainder between Q and 2Q halved.
    static func regularDepthBlocks(_ depth: Int) -> [Int]? {
        guard let q = depthBlockHere else { return nil }
        var blocks: [Int] = []
        var done = 0
        while done < depth {
            var length = depth - done
            if length >= 2 * q { length = q } else if length > q { length = (length / 2 + 15) / 16 * 16 }
            blocks.append(length)
            done += length
        }
        return blocks
    }

    /// Whether the direct weight gradient gives the GEMM's bits for this shape here.
    public static func weightGradientApplies(_ g: ConvolutionGeometry, outputs: Int) -> Bool {
        verdict(g, outputs: outputs, kind: .weightGradient) { gradientMatchesGEMM(g, outputs: outputs) }
    }

    /// The weight gradient `[patchSize, outputs]` of `count` consecutive
    /// images at `images` given their output gradient `[count · oh · ow, outputs]`:
    /// direct where it applies, otherwise im2col into `columns` and one GEMM.
    public static func weightGradient(of images: UnsafePointer<Float>, count: Int, _ g: ConvolutionGeometry,
                                      gradient: UnsafePointer<Float>, outputs: Int,
                                      columns: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        if weightGradientApplies(g, outputs: outputs),
           directWeightGradient(images, count: count, g, gradient: gradient, outputs: outputs, into: out) { return }
        im2colWeightGradient(images, count: count, g, gradient: gradient, outputs: outputs, columns: columns, into: out)
    }

    /// The reference: im2col, then `colsᵀ · dY` in one GEMM.
    public static func im2colWeightGradient(_ images: UnsafePointer<Float>, count: Int, _ g: ConvolutionGeometry,
                                            gradient: UnsafePointer<Float>, outputs: Int,
                                            columns: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        Im2Col.fill(columns, from: images, count: count, g)
        GEMM.multiply(m: g.patchSize, n: outputs, k: count * g.outputHeight * g.outputWidth, a: columns, lda: g.patchSize,
                      transposeA: .transposed, b: gradient, ldb: outputs, c: out, ldc: outputs)
    }

    /// The direct kernel with OpenBLAS's depth blocks (or `blocks`); false where it cannot run.
    public static func directWeightGradient(_ images: UnsafePointer<Float>, count: Int, _ g: ConvolutionGeometry,
                                            gradient: UnsafePointer<Float>, outputs: Int, blocks: [Int]? = nil,
                                            into out: UnsafeMutablePointer<Float>) -> Bool {
        let depth = count * g.outputHeight * g.outputWidth
        guard let plan = blocks ?? depthBlocks(depth, m: g.patchSize, n: outputs) else { return false }
        let status = plan.map(Int32.init).withUnsafeBufferPointer { b in
            g.channels == 1
                ? alflow_direct_weight_gradient(images, Int32(count), Int32(g.height), Int32(g.width), Int32(g.kernelHeight),
                                                gradient, Int32(outputs), b.baseAddress, Int32(b.count), out)
                : alflow_channel_weight_gradient(images, Int32(count), Int32(g.height), Int32(g.width), Int32(g.channels),
                                                 Int32(g.kernelHeight), Int32(g.kernelWidth), gradient, Int32(outputs),
                                                 b.baseAddress, Int32(b.count), out)
        }
        return status == 0
    }

    /// Direct and GEMM weight gradients of synthetic images and gradients
    /// (zeros, signed zeros, both signs), 1 to `Convolution.samplesPerChunk` images: equal bit for bit?
    static func gradientMatchesGEMM(_ g: ConvolutionGeometry, outputs: Int) -> Bool {
        let chunk = Convolution.samplesPerChunk
        let rows = g.outputHeight * g.outputWidth
        var random = RandomStream(seed: 0x00c0_ffee, purpose: "direct-weight-gradient-check")
        let images = checkImages(g, count: chunk, &random)
        var gradient = (0..<(chunk * rows * outputs)).map { _ in random.nextUniformFloat() * 0.02 - 0.01 }
        for i in gradient.indices where i % 7 == 3 { gradient[i] = i % 14 == 3 ? 0 : -0.0 }
        var columns = [Float](repeating: 0, count: chunk * rows * g.patchSize)
        return images.withUnsafeBufferPointer { x in
            gradient.withUnsafeBufferPointer { dy in
                columns.withUnsafeMutableBufferPointer { c in
                    agreesForEveryChunkSize(start: [Float](repeating: .nan, count: g.patchSize * outputs)) { count, out in
                        im2colWeightGradient(x.baseAddress!, count: count, g, gradient: dy.baseAddress!, outputs: outputs,
                                             columns: c.baseAddress!, into: out)
                    } candidate: { count, out in
                        directWeightGradient(x.baseAddress!, count: count, g, gradient: dy.baseAddress!, outputs: outputs, into: out)
                    }
                }
            }
        }
    }
}
