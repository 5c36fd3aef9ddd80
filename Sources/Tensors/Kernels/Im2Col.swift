/// Geometry of a 2-D convolution over NHWC images.
public struct ConvolutionGeometry: Equatable, Sendable {
    public let height: Int, width: Int, channels: Int
    public let kernelHeight: Int, kernelWidth: Int
    public let stride: Int, padding: Int

    public init(height: Int, width: Int, channels: Int, kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Int = 0) {
        self.height = height
        self.width = width
        self.channels = channels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
    }

    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Columns of the im2col matrix: one per (kh, kw, c), in that order.
    public var patchSize: Int { kernelHeight * kernelWidth * channels }
}

/// im2col and its adjoint for NHWC tensors. A patch row holds, for each
/// kernel position (kh, kw), the `channels` contiguous input values, so
/// copies are whole channel vectors and the weight layout is `[out, kh, kw, c]`.
public enum Im2Col {
    /// `images` `[n, h, w, c]` → columns `[n · oh · ow, kh · kw · c]`
    /// (zeros where the kernel overlaps the padding).
    public static func columns(_ images: Tensor, _ g: ConvolutionGeometry) -> Tensor {
        let n = images.rowCount
        let (oh, ow, c) = (g.outputHeight, g.outputWidth, g.channels)
        var out = Tensor(shape: [n * oh * ow, g.patchSize])
        images.scalars.withUnsafeBufferPointer { source in
            out.scalars.withUnsafeMutableBufferPointer { target in
                let src = source.baseAddress!, dst = target.baseAddress!
                Parallel.forEach(blocks: n) { sample in
                    let image = src + sample * g.height * g.width * c
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var patch = dst + ((sample * oh + oy) * ow + ox) * g.patchSize
                            for ky in 0..<g.kernelHeight {
                                let y = oy * g.stride + ky - g.padding
                                for kx in 0..<g.kernelWidth {
                                    let x = ox * g.stride + kx - g.padding
                                    if y >= 0, y < g.height, x >= 0, x < g.width {
                                        patch.update(from: image + (y * g.width + x) * c, count: c)
                                    }
                                    patch += c
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The adjoint: accumulates column gradients `[n · oh · ow, kh · kw · c]`
    /// back into image gradients `[n, h, w, c]`. Each sample is summed by one
    /// worker in a fixed order.
    public static func images(fromColumns columns: Tensor, count n: Int, _ g: ConvolutionGeometry) -> Tensor {
        let (oh, ow, c) = (g.outputHeight, g.outputWidth, g.channels)
        var out = Tensor(shape: [n, g.height, g.width, c])
        columns.scalars.withUnsafeBufferPointer { source in
            out.scalars.withUnsafeMutableBufferPointer { target in
                let src = source.baseAddress!, dst = target.baseAddress!
                Parallel.forEach(blocks: n) { sample in
                    let image = dst + sample * g.height * g.width * c
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var patch = src + ((sample * oh + oy) * ow + ox) * g.patchSize
                            for ky in 0..<g.kernelHeight {
                                let y = oy * g.stride + ky - g.padding
                                for kx in 0..<g.kernelWidth {
                                    let x = ox * g.stride + kx - g.padding
                                    if y >= 0, y < g.height, x >= 0, x < g.width {
                                        let pixel = image + (y * g.width + x) * c
                                        for ch in 0..<c { pixel[ch] += patch[ch] }
                                    }
                                    patch += c
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
