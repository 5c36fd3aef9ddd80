import CKernels

/// The direct product for multi-channel images (SmallNet's second layer:
/// 32 channels, 5 × 5, 64 outputs — 85 % of the network's multiply-adds).
///
/// Through im2col that layer writes 25 copies of every input value (200 KB
/// per image) for OpenBLAS to read and pack again before multiplying. The
/// AVX-512 kernel (`alflow_channel_convolution`) reads each patch value from
/// the image through a table of offsets instead, six output pixels by up to
/// 64 outputs per register tile, and follows OpenBLAS's plan for the
/// product's depth: on its regular path blocks of `GEMM_Q` (SkylakeX: the
/// 800-deep patch as 400 + 400; Cooperlake: 320 + 240 + 240), one fused
/// chain per block from +0 and the block sums added in order; on its
/// small-matrix path (M·N·K ≤ 10⁶) one chain. Like the single-channel
/// kernel it is used only where each process's once-per-shape check finds
/// the GEMM's bits (`DirectConvolution.applies`).
extension DirectConvolution {
    /// How OpenBLAS cuts the depth of an `m × n` product `depth` deep (no
    /// transposition) on the kernel this process runs; nil where not known.
    static func productDepthBlocks(_ depth: Int, m: Int, n: Int) -> [Int]? {
        if Double(m) * Double(n) * Double(depth) <= 1e6 { return [depth] }
        return regularDepthBlocks(depth)
    }

    /// The multi-channel product of `count` images with OpenBLAS's depth
    /// blocks (or `blocks`); false (nothing written) where it cannot run.
    public static func channelProduct(_ images: UnsafePointer<Float>, count: Int, _ g: ConvolutionGeometry,
                                      weight: UnsafePointer<Float>, outputs: Int, blocks: [Int]? = nil,
                                      into out: UnsafeMutablePointer<Float>) -> Bool {
        let rows = count * g.outputHeight * g.outputWidth
        guard let plan = blocks ?? productDepthBlocks(g.patchSize, m: rows, n: outputs) else { return false }
        let status = plan.map(Int32.init).withUnsafeBufferPointer { b in
            alflow_channel_convolution(images, Int32(count), Int32(g.height), Int32(g.width), Int32(g.channels),
                                       Int32(g.kernelHeight), Int32(g.kernelWidth), weight, Int32(outputs),
                                       b.baseAddress, Int32(b.count), out)
        }
        return status == 0
    }
}
