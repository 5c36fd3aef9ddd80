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

    /// For output column `ox`: the first kernel column inside the image and
    /// the number of kernel columns inside it (the rest overlap the padding).
    @inlinable
    func visibleColumns(_ ox: Int) -> (first: Int, count: Int) {
        let x0 = ox * stride - padding
        let first = max(0, -x0)
        let last = min(kernelWidth, width - x0)
        return (first, max(0, last - first))
    }
}

/// im2col and its adjoint for NHWC tensors. A patch row holds, for each
/// kernel row kh, the kw·c values of one image row segment — contiguous in
/// NHWC — so each (output pixel, kernel row) is a single block copy. The
/// matching weight layout is `[kh, kw, c, out]`.
public enum Im2Col {
    /// `images` `[n, h, w, c]` → columns `[n · oh · ow, kh · kw · c]`
    /// (zeros where the kernel overlaps the padding), parallel over samples.
    public static func columns(_ images: Tensor, _ g: ConvolutionGeometry) -> Tensor {
        columns(images, g, samples: 0..<images.rowCount)
    }

    /// As `columns(_:_:)` for the images `samples` only, read in place.
    public static func columns(_ images: Tensor, _ g: ConvolutionGeometry, samples: Range<Int>) -> Tensor {
        let pixels = g.outputHeight * g.outputWidth
        let imageSize = g.height * g.width * g.channels
        return images.scalars.withUnsafeBufferPointer { source in
            Tensor(shape: [samples.count * pixels, g.patchSize]) { target in
                let src = source.baseAddress!, dst = target.baseAddress!
                Parallel.forEach(blocks: samples.count) { sample in
                    fill(dst + sample * pixels * g.patchSize, from: src + (samples.lowerBound + sample) * imageSize, count: 1, g)
                }
            }
        }
    }

    /// The adjoint: accumulates column gradients `[n · oh · ow, kh · kw · c]`
    /// back into image gradients `[n, h, w, c]`, parallel over samples.
    public static func images(fromColumns columns: Tensor, count n: Int, _ g: ConvolutionGeometry) -> Tensor {
        let pixels = g.outputHeight * g.outputWidth
        let imageSize = g.height * g.width * g.channels
        var out = Tensor(shape: [n, g.height, g.width, g.channels])
        columns.scalars.withUnsafeBufferPointer { source in
            out.scalars.withUnsafeMutableBufferPointer { target in
                let src = source.baseAddress!, dst = target.baseAddress!
                Parallel.forEach(blocks: n) { sample in
                    accumulate(src + sample * pixels * g.patchSize, into: dst + sample * imageSize, count: 1, g)
                }
            }
        }
        return out
    }

    /// Writes the columns of `count` consecutive images starting at `images`.
    public static func fill(_ columns: UnsafeMutablePointer<Float>, from images: UnsafePointer<Float>, count: Int,
                            _ g: ConvolutionGeometry) {
        if g.stride == 1, g.padding == 0 { return fillDense(columns, from: images, count: count, g) }
        let (oh, ow, c) = (g.outputHeight, g.outputWidth, g.channels)
        let rowLength = g.kernelWidth * c
        for sample in 0..<count {
            let image = images + sample * g.height * g.width * c
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let patch = columns + ((sample * oh + oy) * ow + ox) * g.patchSize
                    let (kx0, visible) = g.visibleColumns(ox)
                    let x0 = ox * g.stride - g.padding
                    let y0 = oy * g.stride - g.padding
                    if visible == g.kernelWidth, y0 >= 0, y0 + g.kernelHeight <= g.height {
                        // Fast path: the whole patch lies inside the image.
                        let origin = image + (y0 * g.width + x0) * c
                        if rowLength < 8 {
                            // Short rows (one channel): 8-wide copies that spill into the
                            // patch's next row (written after) and read at most into the
                            // image's next row; the last row and the image's end go value by value.
                            let imageEnd = g.height * g.width * c
                            for ky in 0..<g.kernelHeight {
                                let offset = ((y0 + ky) * g.width + x0) * c
                                if ky < g.kernelHeight - 1, offset + 8 <= imageEnd {
                                    UnsafeMutableRawPointer(patch + ky * rowLength)
                                        .storeBytes(of: UnsafeRawPointer(image + offset).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                                } else {
                                    for i in 0..<rowLength { patch[ky * rowLength + i] = image[offset + i] }
                                }
                            }
                            continue
                        }
                        for ky in 0..<g.kernelHeight {
                            copy(origin + ky * g.width * c, to: patch + ky * rowLength, count: rowLength)
                        }
                        continue
                    }
                    for ky in 0..<g.kernelHeight {
                        let segment = patch + ky * rowLength
                        let y = y0 + ky
                        guard y >= 0, y < g.height, visible > 0 else {
                            for i in 0..<rowLength { segment[i] = 0 }
                            continue
                        }
                        for i in 0..<(kx0 * c) { segment[i] = 0 }
                        copy(image + (y * g.width + x0 + kx0) * c, to: segment + kx0 * c, count: visible * c)
                        for i in ((kx0 + visible) * c)..<rowLength { segment[i] = 0 }
                    }
                }
            }
        }
    }

    /// `fill` for stride 1 and no padding (SmallNet's convolutions): every
    /// patch lies inside the image, so the loops run kernel row by kernel row
    /// over a whole output row of patches, without per-patch bounds work.
    static func fillDense(_ columns: UnsafeMutablePointer<Float>, from images: UnsafePointer<Float>, count: Int,
                          _ g: ConvolutionGeometry) {
        let (oh, ow, c, kh) = (g.outputHeight, g.outputWidth, g.channels, g.kernelHeight)
        let rowLength = g.kernelWidth * c, patchSize = g.patchSize
        let imageSize = g.height * g.width * c
        for sample in 0..<count {
            let image = images + sample * imageSize
            let out = columns + sample * oh * ow * patchSize
            for oy in 0..<oh {
                for ky in 0..<kh {
                    let sourceOffset = (oy + ky) * g.width * c
                    let target = out + oy * ow * patchSize + ky * rowLength
                    // Short rows (one channel): 8-wide copies that spill into the same patch's next
                    // kernel rows (written after this one) — never past the patch, nor reading past the image.
                    if rowLength < 8, ky * rowLength + 8 <= patchSize {
                        let room = imageSize - 8 - sourceOffset
                        let vectorPatches = room < 0 ? 0 : min(ow, room / c + 1)
                        for ox in 0..<vectorPatches {
                            UnsafeMutableRawPointer(target + ox &* patchSize).storeBytes(
                                of: UnsafeRawPointer(image + (sourceOffset &+ ox &* c)).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                        }
                        for ox in vectorPatches..<ow { copy(image + (sourceOffset + ox * c), to: target + ox * patchSize, count: rowLength) }
                    } else {
                        for ox in 0..<ow { copy(image + (sourceOffset &+ ox &* c), to: target + ox &* patchSize, count: rowLength) }
                    }
                }
            }
        }
    }

    /// Long runs go through memmove (which picks the widest vector unit at run
    /// time: a 32-channel 5-wide kernel row, 160 values, copies about twice as
    /// fast as with this build's 16-byte moves); short ones (a 1-channel row is
    /// 5 values) through a loop.
    @inline(__always)
    static func copy(_ from: UnsafePointer<Float>, to: UnsafeMutablePointer<Float>, count: Int) {
        if count >= 32 {
            to.update(from: from, count: count)
        } else {
            for i in 0..<count { to[i] = from[i] }
        }
    }

    /// Adds the column gradients of `count` consecutive images into `images`
    /// (which the caller zeroed), in a fixed order.
    public static func accumulate(_ columns: UnsafePointer<Float>, into images: UnsafeMutablePointer<Float>, count: Int,
                                  _ g: ConvolutionGeometry) {
        let (oh, ow, c) = (g.outputHeight, g.outputWidth, g.channels)
        let rowLength = g.kernelWidth * c
        for sample in 0..<count {
            let image = images + sample * g.height * g.width * c
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let patch = columns + ((sample * oh + oy) * ow + ox) * g.patchSize
                    let (kx0, visible) = g.visibleColumns(ox)
                    let x0 = ox * g.stride - g.padding
                    guard visible > 0 else { continue }
                    for ky in 0..<g.kernelHeight {
                        let y = oy * g.stride + ky - g.padding
                        guard y >= 0, y < g.height else { continue }
                        let from = patch + ky * rowLength + kx0 * c
                        let to = image + (y * g.width + x0 + kx0) * c
                        for i in 0..<(visible * c) { to[i] += from[i] }
                    }
                }
            }
        }
    }
}
