import CKernels
import Synchronization

/// The product of a convolution's im2col matrix with its weight — the
/// `[rows, out]` matrix that `Im2Col.fill` + `GEMM.multiply` compute —
/// for one chunk of images, and a faster way to get the same bits.
///
/// For single-channel images (SmallNet's first layer: 25 weights per
/// output, 32 outputs) the im2col product runs at half of the sgemm rate:
/// OpenBLAS packs the 25-fold expanded patches for only 32 multiply-adds
/// each. A direct kernel (`CKernels`, AVX-512) reads the image
/// in place instead. It is used only where it gives exactly OpenBLAS's bits:
/// each output one fused multiply-add chain over the patch from +0, which is
/// what the AVX-512 kernels (SkylakeX, Cooperlake) compute, on every path
/// (measured: bit-identical for 1 to 4 images per product); the Haswell and
/// Zen kernels and the SSE ones sum otherwise. Rather than trusting a list,
/// every process checks each shape once, bit for bit, against the BLAS
/// kernel it runs with, on synthetic images holding zeros, negatives and
/// both signs of zero, for every chunk size in use — and otherwise keeps
/// the GEMM. Either way the values are the GEMM's, so no key changes.
///
/// Multi-channel images (SmallNet's second layer) take another kernel
/// (`DirectConvolution+Channels.swift`) under the same check.
public enum DirectConvolution {
    /// The vector width of the direct kernels on this CPU: 16 (AVX-512F), or 0 (none).
    public static let width = Int(alflow_direct_convolution_width())

    /// A shape the direct kernels take, and which of them a verdict is for.
    struct Checked: Hashable {
        let kernelHeight: Int, kernelWidth: Int, channels: Int, outputs: Int, height: Int, width: Int
        let kind: Kind
    }

    /// The product, the weight gradient, or the input gradient.
    enum Kind: Hashable {
        case product, weightGradient, inputGradient
    }

    /// Verdicts of `matchesGEMM`, `gradientMatchesGEMM` and `inputGradientMatchesGEMM`, per shape.
    private static let verdicts = Mutex<[Checked: Bool]>([:])

    /// Whether the direct kernels can run this shape at all: stride 1, no
    /// padding, AVX-512; whole vectors of outputs and, for one input
    /// channel, a square kernel. The input gradient takes several channels
    /// and a patch of whole vectors.
    static func supports(_ g: ConvolutionGeometry, outputs: Int, kind: Kind = .product) -> Bool {
        guard width == 16, g.stride == 1, g.padding == 0, outputs > 0, g.outputHeight > 0, g.outputWidth > 0 else { return false }
        if kind == .inputGradient { return g.channels > 1 && g.patchSize % 16 == 0 }
        return outputs % 16 == 0 && (g.channels > 1 || g.kernelHeight == g.kernelWidth)
    }

    /// The verdict for this shape, from `check` on first use in this process.
    static func verdict(_ g: ConvolutionGeometry, outputs: Int, kind: Kind, check: () -> Bool) -> Bool {
        guard supports(g, outputs: outputs, kind: kind) else { return false }
        let key = Checked(kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, channels: g.channels, outputs: outputs,
                          height: g.height, width: g.width, kind: kind)
        if let known = verdicts.withLock({ $0[key] }) { return known }
        let verdict = check()
        verdicts.withLock { $0[key] = verdict }
        return verdict
    }

    /// Whether the direct kernel computes this shape's products with the
    /// GEMM's bits here (checked on first use in this process).
    public static func applies(_ g: ConvolutionGeometry, outputs: Int) -> Bool {
        verdict(g, outputs: outputs, kind: .product) { matchesGEMM(g, outputs: outputs) }
    }

    /// The product for `count` consecutive images at `images` into `out`
    /// (`[count · oh · ow, outputs]`): the direct kernel where it `applies`,
    /// otherwise im2col into `columns` (room for `count · oh · ow · patchSize`) and one GEMM.
    public static func product(of images: UnsafePointer<Float>, count: Int, _ g: ConvolutionGeometry,
                               weight: UnsafePointer<Float>, outputs: Int,
                               columns: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        if applies(g, outputs: outputs), direct(images, count: count, g, weight: weight, outputs: outputs, into: out) { return }
        im2colProduct(images, count: count, g, weight: weight, outputs: outputs, columns: columns, into: out)
    }

    /// The product through im2col and one GEMM (the reference).
    public static func im2colProduct(_ images: UnsafePointer<Float>, count: Int, _ g: ConvolutionGeometry, weight: UnsafePointer<Float>,
                              outputs: Int, columns: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        Im2Col.fill(columns, from: images, count: count, g)
        GEMM.multiply(m: count * g.outputHeight * g.outputWidth, n: outputs, k: g.patchSize, a: columns, lda: g.patchSize,
                      b: weight, ldb: outputs, c: out, ldc: outputs)
    }

    /// The product through the direct kernel; false (nothing written) where it cannot run.
    public static func direct(_ images: UnsafePointer<Float>, count: Int, _ g: ConvolutionGeometry, weight: UnsafePointer<Float>,
                              outputs: Int, into out: UnsafeMutablePointer<Float>) -> Bool {
        guard g.channels == 1 else { return channelProduct(images, count: count, g, weight: weight, outputs: outputs, into: out) }
        return alflow_direct_convolution(images, Int32(count), Int32(g.height), Int32(g.width), Int32(g.kernelHeight),
                                         weight, Int32(outputs), out) == 0
    }

    /// Synthetic images for the checks: uniform values of both signs, with a
    /// zero block in the second image (all-zero patches), signed zeros and
    /// exact small integers mixed in.
    static func checkImages(_ g: ConvolutionGeometry, count: Int, _ random: inout RandomStream) -> [Float] {
        let imageSize = g.height * g.width * g.channels
        var images = (0..<(count * imageSize)).map { _ in random.nextUniformFloat() * 4 - 2 }
        for i in images.indices where i % 11 == 0 { images[i] = i % 22 == 0 ? 0 : -0.0 }
        for i in images.indices where i % 13 == 5 { images[i] = Float(i % 5) - 2 }
        if count > 1 { for i in 0..<min(imageSize, g.width * g.kernelHeight * g.channels) { images[imageSize + i] = 0 } }
        return images
    }

    /// A way to compute the product: images, count, weight, output; false if it cannot.
    public typealias Product = (UnsafePointer<Float>, Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Bool

    /// Whether `candidate` (by default the direct kernel) computes the GEMM's
    /// bits on synthetic data, 1 to `Convolution.samplesPerChunk` images at a time.
    public static func matchesGEMM(_ g: ConvolutionGeometry, outputs: Int, candidate: Product? = nil) -> Bool {
        let candidate = candidate ?? { images, count, weight, out in direct(images, count: count, g, weight: weight, outputs: outputs, into: out) }
        let chunk = Convolution.samplesPerChunk
        let rows = g.outputHeight * g.outputWidth
        var random = RandomStream(seed: 0x00c0_ffee, purpose: "direct-convolution-check")
        let images = checkImages(g, count: chunk, &random)
        let weight = (0..<(g.patchSize * outputs)).map { _ in random.nextUniformFloat() - 0.5 }
        var columns = [Float](repeating: 0, count: chunk * rows * g.patchSize)
        return images.withUnsafeBufferPointer { x in
            weight.withUnsafeBufferPointer { w in
                columns.withUnsafeMutableBufferPointer { c in
                    agreesForEveryChunkSize(start: [Float](repeating: .nan, count: chunk * rows * outputs)) { count, out in
                        im2colProduct(x.baseAddress!, count: count, g, weight: w.baseAddress!, outputs: outputs,
                                      columns: c.baseAddress!, into: out)
                    } candidate: { count, out in
                        candidate(x.baseAddress!, count, w.baseAddress!, out)
                    }
                }
            }
        }
    }

    /// Whether `candidate` leaves the bits `reference` leaves in a buffer
    /// both start from `start`, for 1 to `Convolution.samplesPerChunk` images
    /// at a time (the reference run as one block, as `Convolution` runs each
    /// chunk); false too where the candidate cannot run. The checks of all
    /// direct kernels share it.
    static func agreesForEveryChunkSize(start: [Float], reference: (Int, UnsafeMutablePointer<Float>) -> Void,
                                       candidate: (Int, UnsafeMutablePointer<Float>) -> Bool) -> Bool {
        (1...Convolution.samplesPerChunk).allSatisfy { count in
            var expected = start, actual = start
            expected.withUnsafeMutableBufferPointer { e in Parallel.asOneBlock { reference(count, e.baseAddress!) } }
            guard actual.withUnsafeMutableBufferPointer({ candidate(count, $0.baseAddress!) }) else { return false }
            return zip(expected, actual).allSatisfy { $0.bitPattern == $1.bitPattern }
        }
    }
}
