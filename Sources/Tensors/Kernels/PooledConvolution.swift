import CKernels

/// The inference fast path of a convolution followed by max pooling and,
/// optionally, a ReLU (SmallNet's conv → pool → ReLU blocks), in one pass
/// over fixed chunks of samples: each chunk's im2col matrix and convolution
/// output live in a chunk-sized workspace that stays in cache, and only the
/// pooled (4× smaller) result is written out.
///
/// Bit-identical to `Convolution.forward` + bias, `MaxPooling.forward` and
/// `rectifyInPlace` run one after the other: the products are the same
/// `GEMM` calls on the same chunks, and the bias is added after the maximum
/// instead of before it — rounding is monotonic, so
/// `max(fl(a + b), fl(c + b)) == fl(max(a, c) + b)` for any a, c, b.
public enum PooledConvolution {
    /// `images` `[n, h, w, c]` → `[n, oh / k, ow / k, out]` for samples
    /// `samples`, where `oh × ow` is the convolution's output and `k` the pooling window.
    public static func forward(_ images: Tensor, samples: Range<Int>, weight: Tensor, bias: Tensor,
                               _ g: ConvolutionGeometry, window k: Int, rectify: Bool) -> Tensor {
        let outputs = bias.count
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        let (ph, pw) = (oh / k, ow / k)
        let pixels = oh * ow
        let imageSize = g.height * g.width * g.channels
        let chunkSize = Convolution.samplesPerChunk
        return images.scalars.withUnsafeBufferPointer { source in
            weight.scalars.withUnsafeBufferPointer { w in
                bias.scalars.withUnsafeBufferPointer { b in
                    Tensor(shape: [samples.count, ph, pw, outputs]) { target in
                        let src = source.baseAddress!, dst = target.baseAddress!
                        Parallel.forEachRange(count: samples.count, grain: chunkSize) { chunk in
                            let rows = chunk.count * pixels
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: rows * (g.patchSize + outputs)) { workspace in
                                let columns = workspace.baseAddress!, convolved = columns + rows * g.patchSize
                                DirectConvolution.product(of: src + (samples.lowerBound + chunk.lowerBound) * imageSize, count: chunk.count, g,
                                                          weight: w.baseAddress!, outputs: outputs, columns: columns, into: convolved)
                                for sample in 0..<chunk.count {
                                    pool(convolved + sample * pixels * outputs, height: oh, width: ow, channels: outputs, window: k,
                                         bias: b.baseAddress!, rectify: rectify,
                                         into: dst + (chunk.lowerBound + sample) * ph * pw * outputs)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Max pooling of one `[h, w, c]` image, then `+ bias` and the optional
    /// ReLU: the AVX-512 kernel (`alflow_pool_bias`) where this CPU has it,
    /// otherwise — or with `loops` — these Swift loops, its reference (the same bits).
    public static func pool(_ image: UnsafePointer<Float>, height: Int, width: Int, channels c: Int, window k: Int,
                            bias: UnsafePointer<Float>, rectify: Bool, into out: UnsafeMutablePointer<Float>, loops: Bool = false) {
        if !loops, DirectConvolution.width == 16,
           alflow_pool_bias(image, Int32(height), Int32(width), Int32(c), Int32(k), bias, rectify ? 1 : 0, out) == 0 { return }
        let (ph, pw) = (height / k, width / k)
        for py in 0..<ph {
            for px in 0..<pw {
                let target = out + (py * pw + px) * c
                MaxPooling.windowMaximum(image + (py * k * width + px * k) * c, width: width, channels: c, window: k, into: target)
                if rectify {
                    for ch in 0..<c {
                        let value = target[ch] + bias[ch]
                        target[ch] = value < 0 ? 0 : value
                    }
                } else {
                    for ch in 0..<c { target[ch] += bias[ch] }
                }
            }
        }
    }
}
