/// Max pooling over NHWC images with a square window and equal stride
/// (PyTorch's `MaxPool2d(k)`: floor division, no padding).
public enum MaxPooling {
    /// Returns the pooled images `[n, h/k, w/k, c]` and, for each output
    /// value, the flat index into `images` of the maximum (first on ties).
    public static func forward(_ images: Tensor, window k: Int) -> (output: Tensor, argmax: [Int32]) {
        precondition(images.rank == 4, "max pooling expects [n, h, w, c]")
        let (n, h, w, c) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        let (oh, ow) = (h / k, w / k)
        var out = Tensor(shape: [n, oh, ow, c])
        var argmax = [Int32](repeating: 0, count: out.count)
        images.scalars.withUnsafeBufferPointer { source in
            out.scalars.withUnsafeMutableBufferPointer { target in
                argmax.withUnsafeMutableBufferPointer { indices in
                    let src = source.baseAddress!, dst = target.baseAddress!, idx = indices.baseAddress!
                    Parallel.forEach(blocks: n) { sample in
                        for oy in 0..<oh {
                            for ox in 0..<ow {
                                let outBase = ((sample * oh + oy) * ow + ox) * c
                                for ch in 0..<c {
                                    var best = -Float.infinity
                                    var bestIndex = 0
                                    for dy in 0..<k {
                                        for dx in 0..<k {
                                            let index = ((sample * h + oy * k + dy) * w + ox * k + dx) * c + ch
                                            if src[index] > best || (dy == 0 && dx == 0) {
                                                best = src[index]
                                                bestIndex = index
                                            }
                                        }
                                    }
                                    dst[outBase + ch] = best
                                    idx[outBase + ch] = Int32(bestIndex)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (out, argmax)
    }

    /// Routes each output gradient to the input position that was the maximum.
    /// Windows do not overlap, so every input receives at most one value.
    public static func backward(_ gradient: Tensor, argmax: [Int32], inputShape: [Int]) -> Tensor {
        var out = Tensor(shape: inputShape)
        for (i, index) in argmax.enumerated() { out.scalars[Int(index)] += gradient.scalars[i] }
        return out
    }
}
