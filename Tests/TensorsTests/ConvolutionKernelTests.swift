import Tensors
import Testing

@Suite struct ConvolutionKernelTests {
    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var random = RandomStream(seed: seed, purpose: "conv-test")
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(random.nextNormal()) })
    }

    /// Convolution through im2col + GEMM equals the direct six-loop definition.
    @Test(arguments: [(1, 0), (1, 2), (2, 1)])
    func im2colConvolutionMatchesDirectLoops(stride: Int, padding: Int) {
        let (n, h, w, c, oc, k) = (2, 9, 7, 3, 4, 3)
        let g = ConvolutionGeometry(height: h, width: w, channels: c, kernelHeight: k, kernelWidth: k, stride: stride, padding: padding)
        let x = Self.random([n, h, w, c], seed: 1)
        let weight = Self.random([oc, k, k, c], seed: 2)
        let y = Im2Col.columns(x, g).matmul(weight.reshaped([oc, k * k * c]), transposeOther: .transposed)
        for sample in 0..<n {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for o in 0..<oc {
                        var sum = 0.0
                        for ky in 0..<k { for kx in 0..<k { for ch in 0..<c {
                            let iy = oy * stride + ky - padding, ix = ox * stride + kx - padding
                            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                            sum += Double(x.scalars[((sample * h + iy) * w + ix) * c + ch]) *
                                   Double(weight.scalars[((o * k + ky) * k + kx) * c + ch])
                        } } }
                        let row = (sample * g.outputHeight + oy) * g.outputWidth + ox
                        #expect(abs(Double(y.scalars[row * oc + o]) - sum) < 1e-4)
                    }
                }
            }
        }
    }

    /// col2im is the adjoint of im2col: ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩.
    @Test func col2imIsTheAdjoint() {
        let g = ConvolutionGeometry(height: 8, width: 6, channels: 2, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1)
        let x = Self.random([3, 8, 6, 2], seed: 3)
        let columns = Im2Col.columns(x, g)
        let y = Self.random(columns.shape, seed: 4)
        let back = Im2Col.images(fromColumns: y, count: 3, g)
        let left = zip(columns.scalars, y.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(x.scalars, back.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(left - right) < 1e-3 * max(1, abs(left)))
    }

    @Test func maxPoolingPicksTheLargestAndRoutesGradients() {
        // One 4×4 single-channel image.
        let x = Tensor(shape: [1, 4, 4, 1], scalars: [1, 2, 0, 0,
                                                      3, 4, 0, 9,
                                                      5, 0, 1, 1,
                                                      0, 0, 1, 7])
        let y = MaxPooling.forward(x, window: 2)
        #expect(y.scalars == [4, 9, 5, 7])
        let dx = MaxPooling.backward(Tensor(shape: [1, 2, 2, 1], scalars: [1, 2, 3, 4]), input: x, output: y, window: 2)
        #expect(dx.scalars == [0, 0, 0, 0, 0, 1, 0, 2, 3, 0, 0, 0, 0, 0, 0, 4])
        // Ties go to the first position of the window, once.
        let flat = Tensor(shape: [1, 2, 2, 1], scalars: [3, 3, 3, 3])
        let pooled = MaxPooling.forward(flat, window: 2)
        #expect(MaxPooling.backward(Tensor(shape: [1, 1, 1, 1], scalars: [5]), input: flat, output: pooled, window: 2).scalars == [5, 0, 0, 0])
    }
}

/// im2col against its definition, value for value: every (patch, kernel
/// row, kernel column, channel) of the columns holds the image value there,
/// or 0 in the padding — for the dense path (stride 1, no padding; rows of
/// 3, 5, 6, 15 and 160 values, the short ones copied 8 wide) and the general one.
@Suite struct Im2ColTests {
    @Test(arguments: [(28, 1, 5, 1, 0), (12, 32, 5, 1, 0), (9, 2, 3, 1, 0), (7, 1, 3, 1, 0), (8, 3, 5, 1, 0), (9, 2, 3, 2, 1), (6, 1, 5, 1, 2)])
    func columnsHoldTheImageValues(side: Int, channels: Int, kernel: Int, stride: Int, padding: Int) {
        let g = ConvolutionGeometry(height: side, width: side + 1, channels: channels, kernelHeight: kernel, kernelWidth: kernel,
                                    stride: stride, padding: padding)
        let n = 3
        let x = Tensor(shape: [n, g.height, g.width, channels], scalars: (0..<(n * g.height * g.width * channels)).map { Float($0) + 1 })
        let columns = Im2Col.columns(x, g)
        #expect(columns.shape == [n * g.outputHeight * g.outputWidth, g.patchSize])
        var wrong = 0
        for sample in 0..<n {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    let row = (sample * g.outputHeight + oy) * g.outputWidth + ox
                    for ky in 0..<kernel { for kx in 0..<kernel { for ch in 0..<channels {
                        let iy = oy * stride + ky - padding, ix = ox * stride + kx - padding
                        let inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width
                        let expected = inside ? x.scalars[((sample * g.height + iy) * g.width + ix) * channels + ch] : 0
                        if columns.scalars[row * g.patchSize + (ky * kernel + kx) * channels + ch] != expected { wrong += 1 }
                    } } }
                }
            }
        }
        #expect(wrong == 0, "\(wrong) of \(columns.count) values wrong")
    }
}
