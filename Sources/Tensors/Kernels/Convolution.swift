/// 2-D convolution over NHWC images, computed in fixed chunks of samples:
/// each chunk's im2col matrix is built, multiplied and dropped while it is
/// still in cache, instead of streaming one batch-sized matrix through
/// memory. Chunks run in parallel; weight and bias gradients are summed over
/// chunks in chunk order, so results never depend on the worker count.
///
/// Weight layout `[kh · kw · c, out]` (a patch row times the output channels).
public enum Convolution {
    /// Samples per chunk (fixed: part of what makes the sums deterministic).
    public static let samplesPerChunk = 4

    /// `images` `[n, h, w, c]` → `[n, oh, ow, out]`, for samples `samples` of `images`.
    public static func forward(_ images: Tensor, samples: Range<Int>, weight: Tensor, bias: Tensor,
                               _ g: ConvolutionGeometry) -> Tensor {
        let outputs = bias.count
        let pixels = g.outputHeight * g.outputWidth
        let imageSize = g.height * g.width * g.channels
        return images.scalars.withUnsafeBufferPointer { source in
            weight.scalars.withUnsafeBufferPointer { w in
                bias.scalars.withUnsafeBufferPointer { b in
                    Tensor(shape: [samples.count, g.outputHeight, g.outputWidth, outputs]) { target in
                        let src = source.baseAddress!, dst = target.baseAddress!
                        Parallel.forEachRange(count: samples.count, grain: samplesPerChunk) { chunk in
                            let rows = chunk.count * pixels
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: rows * g.patchSize) { columns in
                                let out = dst + chunk.lowerBound * pixels * outputs
                                DirectConvolution.product(of: src + (samples.lowerBound + chunk.lowerBound) * imageSize, count: chunk.count, g,
                                                          weight: w.baseAddress!, outputs: outputs, columns: columns.baseAddress!, into: out)
                                addBias(b.baseAddress!, to: out, rows: rows, columns: outputs)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds `bias` to each of `rows` rows of `matrix` (`rows × columns`).
    @inline(__always)
    static func addBias(_ bias: UnsafePointer<Float>, to matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for r in 0..<rows {
            let row = matrix + r * columns
            for j in 0..<columns { row[j] += bias[j] }
        }
    }

    /// Gradients of the weight `[kh·kw·c, out]`, the bias `[out]` and (if
    /// asked) the images `[n, h, w, c]`, given the output gradient `[n, oh, ow, out]`.
    public static func backward(_ images: Tensor, outputGradient: Tensor, weight: Tensor, _ g: ConvolutionGeometry,
                                needsInputGradient: Bool) -> (weight: Tensor, bias: Tensor, input: Tensor?) {
        let chunkGradientSize = g.outputHeight * g.outputWidth * weight.shape[1]
        return outputGradient.scalars.withUnsafeBufferPointer { gradient in
            let dy = gradient.baseAddress!
            return backward(images, weight: weight, g, needsInputGradient: needsInputGradient) { chunk, _ in
                dy + chunk.lowerBound * chunkGradientSize
            }
        }
    }

    /// As `backward(_:outputGradient:weight:_:needsInputGradient:)`, with the
    /// output gradient of each chunk of samples supplied by `chunkGradient`
    /// (given the chunk and a workspace for its `[chunk, oh, ow, out]` values,
    /// it returns where they are), so it need never exist for the whole batch.
    static func backward(_ images: Tensor, weight: Tensor, _ g: ConvolutionGeometry, needsInputGradient: Bool,
                         chunkGradient: (Range<Int>, UnsafeMutablePointer<Float>) -> UnsafePointer<Float>)
        -> (weight: Tensor, bias: Tensor, input: Tensor?) {
        let n = images.rowCount
        let outputs = weight.shape[1]
        let pixels = g.outputHeight * g.outputWidth
        let imageSize = g.height * g.width * g.channels
        let chunks = (n + samplesPerChunk - 1) / samplesPerChunk
        let weightSize = g.patchSize * outputs
        // One partial weight gradient and bias gradient per chunk, summed in order below.
        // Each chunk's product overwrites its block (beta = 0): no zero-filling.
        var partialWeights = [Float](unsafeUninitializedCapacity: chunks * weightSize) { _, count in count = chunks * weightSize }
        var partialBiases = [Float](repeating: 0, count: chunks * outputs)
        var dInput = needsInputGradient ? Tensor(shape: images.shape) : nil
        let weightT = needsInputGradient ? weight.transposed() : Tensor(shape: [0])
        images.scalars.withUnsafeBufferPointer { source in
            weightT.scalars.withUnsafeBufferPointer { wt in
                partialWeights.withUnsafeMutableBufferPointer { pw in
                    partialBiases.withUnsafeMutableBufferPointer { pb in
                        withOptionalBuffer(&dInput) { dx in
                            let src = source.baseAddress!
                            Parallel.forEachRange(count: n, grain: samplesPerChunk) { chunk in
                                let index = chunk.lowerBound / samplesPerChunk
                                let rows = chunk.count * pixels
                                withUnsafeTemporaryAllocation(of: Float.self, capacity: rows * (g.patchSize + outputs)) { workspace in
                                    let cols = workspace.baseAddress!
                                    let dyChunk = chunkGradient(chunk, cols + rows * g.patchSize)
                                    // dW_chunk = colsᵀ · dY_chunk (the columns are scratch afterwards)
                                    DirectConvolution.weightGradient(of: src + chunk.lowerBound * imageSize, count: chunk.count, g,
                                                                     gradient: dyChunk, outputs: outputs, columns: cols,
                                                                     into: pw.baseAddress! + index * weightSize)
                                    let biasSum = pb.baseAddress! + index * outputs
                                    for r in 0..<rows {
                                        let row = dyChunk + r * outputs
                                        for j in 0..<outputs { biasSum[j] += row[j] }
                                    }
                                    if let dx {
                                        // dCols = dY_chunk · Wᵀ into the columns buffer, then its adjoint of im2col.
                                        DirectConvolution.inputGradient(dyChunk, count: chunk.count, g, weightT: wt.baseAddress!,
                                                                        outputs: outputs, columns: cols,
                                                                        into: dx + chunk.lowerBound * imageSize)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (sumInOrder(partialWeights, parts: chunks, size: weightSize, shape: weight.shape),
                sumInOrder(partialBiases, parts: chunks, size: outputs, shape: [outputs]), dInput)
    }

    /// Σ over `parts` consecutive blocks of `size` values, element by element
    /// in block order starting from zero; parallel over elements, so the
    /// order of each sum never depends on the worker count.
    static func sumInOrder(_ blocks: [Float], parts: Int, size: Int, shape: [Int]) -> Tensor {
        blocks.withUnsafeBufferPointer { source in
            Tensor(shape: shape) { target in
                let src = source.baseAddress!, dst = target.baseAddress!
                Parallel.forEachRange(count: size, grain: 8192) { elements in
                    for i in elements { dst[i] = 0 }
                    for part in 0..<parts {
                        let block = src + part * size
                        for i in elements { dst[i] += block[i] }
                    }
                }
            }
        }
    }

    private static func withOptionalBuffer(_ tensor: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) -> Void) {
        guard var value = tensor else { return body(nil) }
        tensor = nil
        value.scalars.withUnsafeMutableBufferPointer { body($0.baseAddress) }
        tensor = value
    }
}
