import CKernels

/// The training path of a convolution followed by max pooling and a ReLU
/// (SmallNet's blocks), one fixed chunk of samples at a time: the chunk's
/// im2col matrix, convolution output and — backwards — output gradient live
/// in a chunk-sized workspace that stays in cache. Neither the convolution's
/// output nor its gradient (4× the pooled size: 7 MB per SmallNet batch of
/// 96 for the first block) is ever written out; the forward pass keeps one
/// byte per pooled value instead, the route of its gradient.
///
/// Bit-identical to the layers run one after the other (`Conv2D`, `MaxPool2D`,
/// `ReLU` and their backward passes): the same products on the same chunks,
/// the bias added before pooling, the same maxima, and each gradient value
/// computed as `hit · (y > 0 ? g : 0)` — ReLU's select, then pooling's route
/// (`hit` is 1 at the first position of the window equal to the rectified
/// maximum `y`, 0 elsewhere), which gives the same value, sign of zero included.
extension PooledConvolution {
    /// Route code of a pooled value whose rectified maximum is not positive:
    /// no gradient passes (every position gets `hit · 0 = +0`).
    public static let blocked: UInt8 = .max

    /// `images` `[n, h, w, c]` → rectified pooled output `[n, oh / k, ow / k, out]`
    /// and one route per output value: the index (`dy · k + dx`) of the first
    /// position of its window equal to the output, or `blocked` where the output is not positive.
    public static func trainingForward(_ images: Tensor, weight: Tensor, bias: Tensor, _ g: ConvolutionGeometry,
                                       window k: Int) -> (output: Tensor, routes: [UInt8]) {
        precondition(k * k < Int(blocked), "pooling window too large for a one-byte route")
        let n = images.rowCount
        let outputs = bias.count
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        let pooledSize = (oh / k) * (ow / k) * outputs
        let pixels = oh * ow
        let imageSize = g.height * g.width * g.channels
        var routes = [UInt8](repeating: 0, count: n * pooledSize)
        let output = images.scalars.withUnsafeBufferPointer { source in
            weight.scalars.withUnsafeBufferPointer { w in
                bias.scalars.withUnsafeBufferPointer { b in
                    routes.withUnsafeMutableBufferPointer { routeBuffer in
                        Tensor(shape: [n, oh / k, ow / k, outputs]) { target in
                            let src = source.baseAddress!, dst = target.baseAddress!, route = routeBuffer.baseAddress!
                            Parallel.forEachRange(count: n, grain: Convolution.samplesPerChunk) { chunk in
                                let rows = chunk.count * pixels
                                withUnsafeTemporaryAllocation(of: Float.self, capacity: rows * (g.patchSize + outputs)) { workspace in
                                    let columns = workspace.baseAddress!, convolved = columns + rows * g.patchSize
                                    DirectConvolution.product(of: src + chunk.lowerBound * imageSize, count: chunk.count, g,
                                                              weight: w.baseAddress!, outputs: outputs, columns: columns, into: convolved)
                                    Convolution.addBias(b.baseAddress!, to: convolved, rows: rows, columns: outputs)
                                    for sample in 0..<chunk.count {
                                        let offset = (chunk.lowerBound + sample) * pooledSize
                                        poolRouted(convolved + sample * pixels * outputs, height: oh, width: ow, channels: outputs,
                                                   window: k, into: dst + offset, routes: route + offset)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (output, routes)
    }

    /// Rectified max pooling of one biased `[h, w, c]` convolution output,
    /// recording each value's route: the AVX-512 kernel (`alflow_pool_routes`)
    /// where this CPU has it, otherwise — or with `loops` — these Swift loops, its reference.
    public static func poolRouted(_ image: UnsafePointer<Float>, height: Int, width: Int, channels c: Int, window k: Int,
                                  into out: UnsafeMutablePointer<Float>, routes: UnsafeMutablePointer<UInt8>, loops: Bool = false) {
        if !loops, DirectConvolution.width == 16,
           alflow_pool_routes(image, Int32(height), Int32(width), Int32(c), Int32(k), out, routes) == 0 { return }
        let (ph, pw) = (height / k, width / k)
        // Routes are found as 32-bit lanes first (selects on values loaded
        // unconditionally, then a truncation), so the channel loops vectorise.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: c) { codes in
            let code = codes.baseAddress!
            for py in 0..<ph {
                for px in 0..<pw {
                    let target = out + (py * pw + px) * c
                    let route = routes + (py * pw + px) * c
                    let corner = image + (py * k * width + px * k) * c
                    // `MaxPooling`'s maxima, then ReLU's select.
                    MaxPooling.windowMaximum(corner, width: width, channels: c, window: k, into: target)
                    for ch in 0..<c { target[ch] = target[ch] < 0 ? 0 : target[ch] }
                    // Scanned backwards, so the first position equal to the maximum wins.
                    for ch in 0..<c { code[ch] = Int32(blocked) }
                    for position in stride(from: k * k - 1, through: 0, by: -1) {
                        let pixel = corner + ((position / k) * width + position % k) * c
                        let value = Int32(position)
                        for ch in 0..<c {
                            let (input, maximum, previous) = (pixel[ch], target[ch], code[ch])
                            code[ch] = input == maximum ? value : previous
                        }
                    }
                    for ch in 0..<c {
                        let (maximum, found) = (target[ch], code[ch])
                        route[ch] = UInt8(truncatingIfNeeded: maximum > 0 ? found : Int32(blocked))
                    }
                }
            }
        }
    }

    /// Gradients of the weight, the bias and (if asked) the images, given the
    /// gradient of the rectified pooled output and the routes of `trainingForward`.
    public static func backward(_ images: Tensor, pooledGradient: Tensor, routes: [UInt8], weight: Tensor, _ g: ConvolutionGeometry,
                                window k: Int, needsInputGradient: Bool) -> (weight: Tensor, bias: Tensor, input: Tensor?) {
        let outputs = weight.shape[1]
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        let pooledSize = (oh / k) * (ow / k) * outputs
        return pooledGradient.scalars.withUnsafeBufferPointer { gradientBuffer in
            routes.withUnsafeBufferPointer { routeBuffer in
                let pooled = gradientBuffer.baseAddress!, route = routeBuffer.baseAddress!
                return Convolution.backward(images, weight: weight, g, needsInputGradient: needsInputGradient) { chunk, workspace in
                    for sample in 0..<chunk.count {
                        let offset = (chunk.lowerBound + sample) * pooledSize
                        unpool(pooled + offset, routes: route + offset, height: oh, width: ow, channels: outputs, window: k,
                               into: workspace + sample * oh * ow * outputs)
                    }
                    return UnsafePointer(workspace)
                }
            }
        }
    }

    /// One image's convolution-output gradient from its pooled gradient:
    /// `MaxPooling.backward(rectified: true)`'s expression at every position —
    /// the AVX-512 kernel (`alflow_unpool`) where this CPU has it, otherwise
    /// (or with `loops`) these Swift loops, its reference.
    public static func unpool(_ gradient: UnsafePointer<Float>, routes: UnsafePointer<UInt8>, height: Int, width: Int, channels c: Int,
                              window k: Int, into out: UnsafeMutablePointer<Float>, loops: Bool = false) {
        if !loops, DirectConvolution.width == 16,
           alflow_unpool(gradient, routes, Int32(height), Int32(width), Int32(c), Int32(k), out) == 0 { return }
        let (ph, pw) = (height / k, width / k)
        // Windows that do not tile the image leave positions no window reads.
        if height % k != 0 || width % k != 0 { out.update(repeating: 0, count: height * width * c) }
        for py in 0..<ph {
            for px in 0..<pw {
                let source = gradient + (py * pw + px) * c
                let route = routes + (py * pw + px) * c
                for position in 0..<(k * k) {
                    let target = out + ((py * k + position / k) * width + px * k + position % k) * c
                    let code = UInt8(truncatingIfNeeded: position)
                    for ch in 0..<c {
                        let (gradient, routed) = (source[ch], route[ch])
                        let hit: Float = routed == code ? 1 : 0
                        target[ch] = hit * (routed != blocked ? gradient : 0)
                    }
                }
            }
        }
    }
}
