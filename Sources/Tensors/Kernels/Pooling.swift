/// Max pooling over NHWC images with a square window and equal stride
/// (PyTorch's `MaxPool2d(k)`: floor division, no padding).
///
/// The forward pass computes only the maxima (a vectorised select over
/// contiguous channels); the backward pass finds each window's maximum again
/// by comparing the input with the pooled value, which is cheaper than
/// recording indices and routes the gradient to the first maximal position.
///
/// SmallNet's conv → pool → ReLU blocks run fused instead (`PooledConvolution`,
/// for inference and training); these are the layer-by-layer kernels and
/// those paths' reference.
public enum MaxPooling {
    public static func forward(_ images: Tensor, window k: Int) -> Tensor {
        precondition(images.rank == 4, "max pooling expects [n, h, w, c]")
        let (n, h, w, c) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        let (oh, ow) = (h / k, w / k)
        return images.scalars.withUnsafeBufferPointer { source in
            Tensor(shape: [n, oh, ow, c]) { target in
                let src = source.baseAddress!, dst = target.baseAddress!
                Parallel.forEach(blocks: n) { sample in
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let out = dst + ((sample * oh + oy) * ow + ox) * c
                            windowMaximum(src + ((sample * h + oy * k) * w + ox * k) * c, width: w, channels: c, window: k, into: out)
                        }
                    }
                }
            }
        }
    }

    /// The maxima over one `k × k` window whose top-left pixel is `corner`
    /// (an image `width` pixels wide, `c` channels), one select per value and
    /// channel in window order; the fused kernels (`PooledConvolution`) use it
    /// too, so their maxima are these bits.
    @inline(__always)
    static func windowMaximum(_ corner: UnsafePointer<Float>, width: Int, channels c: Int, window k: Int,
                              into target: UnsafeMutablePointer<Float>) {
        for ch in 0..<c { target[ch] = corner[ch] }
        for dy in 0..<k {
            for dx in 0..<k where dy != 0 || dx != 0 {
                let pixel = corner + (dy * width + dx) * c
                for ch in 0..<c { target[ch] = pixel[ch] > target[ch] ? pixel[ch] : target[ch] }
            }
        }
    }

    /// Routes each pooled gradient to the first position of its window whose
    /// input equals the pooled maximum. Windows do not overlap.
    public static func backward(_ gradient: Tensor, input: Tensor, output: Tensor, window k: Int) -> Tensor {
        let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (oh, ow) = (h / k, w / k)
        // Windows tile the image exactly (SmallNet's 24→12 and 8→4): every value
        // is written below, so the result needs no zero-filling first.
        let tiled = h % k == 0 && w % k == 0
        var result = tiled ? Tensor(shape: input.shape) { _ in } : Tensor(shape: input.shape)
        input.scalars.withUnsafeBufferPointer { inputBuffer in
            output.scalars.withUnsafeBufferPointer { outputBuffer in
                gradient.scalars.withUnsafeBufferPointer { gradientBuffer in
                    result.scalars.withUnsafeMutableBufferPointer { resultBuffer in
                        let x = inputBuffer.baseAddress!, y = outputBuffer.baseAddress!
                        let g = gradientBuffer.baseAddress!, dx = resultBuffer.baseAddress!
                        Parallel.forEach(blocks: n) { sample in
                            // remaining[ch] is 1 until the channel's maximum has been found;
                            // every step is a select, so the loops over channels vectorise.
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: c) { remaining in
                                let left = remaining.baseAddress!
                                for oy in 0..<oh {
                                    for ox in 0..<ow {
                                        let pooled = ((sample * oh + oy) * ow + ox) * c
                                        let corner = ((sample * h + oy * k) * w + ox * k) * c
                                        let maxima = y + pooled, gradients = g + pooled
                                        for ch in 0..<c { left[ch] = 1 }
                                        for dy in 0..<k {
                                            for dxx in 0..<k {
                                                // Pointers hoisted out of the channel loop so it vectorises.
                                                let inputs = x + corner + (dy * w + dxx) * c
                                                let results = dx + corner + (dy * w + dxx) * c
                                                for ch in 0..<c {
                                                    let hit: Float = inputs[ch] == maxima[ch] ? left[ch] : 0
                                                    results[ch] = hit * gradients[ch]
                                                    left[ch] -= hit
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
